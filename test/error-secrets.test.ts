import { expect } from 'chai';
import type { Plan } from '../shared/plans.js';
import { validNumbers } from './support/phone-numbers.js';
import { ServiceHarness, usersBody } from './support/service-harness.js';
import { TcpProxy } from './support/tcp-proxy.js';
import { rememberSecret } from './support/test-log.js';
import { waitFor } from './support/wait-for.js';

const DOMAIN = 'secrets';
const APP = 'app1';
const RATE_LIMIT = 40;
const MAX_BODY_BYTES = 4096;
const MAX_USERS = 5;
const USER = `admin@${DOMAIN}.example.org`;

const submitPath = (domain: string, version = 'v0_5') =>
  `/a/${domain}/api/${version}/sms_user_registration_reinstall/`;
const batchesPath = `${submitPath(DOMAIN)}batches/`;

/** Lines of a JavaScript stack trace, or source paths that one would show. */
const STACK_TRACE = /\n\s+at |\bat [\w.<>]+ \(|\.ts:\d+|node_modules|node:internal/;

interface ErrorCase {
  name: string;
  status: number;
  path: string;
  method?: string;
  body?: string;
  headers?: Record<string, string>;
}

describe('error responses', () => {
  // Redis is reached through a proxy so that the last case can cut it.
  const proxy = new TcpProxy(6379);
  let harness: ServiceHarness;
  let key: string;
  let auth: string;
  const secrets: string[] = [];

  async function addProject(domain: string, plan: Plan, registrationEnabled = true) {
    await harness.registry.putProject({ domain, plan, registrationEnabled, defaultLanguage: 'en' });
  }

  type KeyOptions = { permissions?: string[]; expiresAt?: Date };

  async function addKey(domains: string[], options: KeyOptions = {}) {
    const created = await harness.apiKeys.create({ username: USER, domains, ...options });
    rememberSecret(created.key);
    secrets.push(created.key, Buffer.from(`${USER}:${created.key}`).toString('base64'));
    return { key: created.key, auth: `ApiKey ${USER}:${created.key}` };
  }

  before(async () => {
    await proxy.start();
    harness = new ServiceHarness({
      withoutWorker: true,
      env: {
        REDIS_URL: proxy.url,
        API_RATE_PER_MINUTE: String(RATE_LIMIT),
        MAX_BODY_BYTES: String(MAX_BODY_BYTES),
        MAX_USERS_PER_REQUEST: String(MAX_USERS),
      },
    });
    await harness.start();
    await harness.addProject(DOMAIN, APP);
    await addProject('low-plan', 'STANDARD');
    await addProject('other', 'PRO');
    await addProject('registration-off', 'PRO', false);
    ({ key, auth } = await addKey([DOMAIN, 'low-plan', 'registration-off']));
  });

  after(async () => {
    await proxy.start();
    await harness?.stop();
    await proxy.cut();
  });

  /** Sends the request and checks that its response repeats no secret and no stack trace. */
  async function expectNoSecrets(request: ErrorCase): Promise<void> {
    const response = await fetch(`${harness.baseUrl}${request.path}`, {
      method: request.method ?? 'GET',
      headers: request.headers,
      body: request.body,
    });
    const text = await response.text();
    expect(response.status, text.slice(0, 300)).to.equal(request.status);
    expect(response.headers.get('content-type')).to.match(/^application\/json/);
    expect(JSON.parse(text)).to.be.an('object');
    const headerText = [...response.headers].map(([name, value]) => `${name}: ${value}`).join('\n');
    for (const secret of [...secrets, auth]) {
      expect(text.includes(secret), 'a secret in the body').to.equal(false);
      expect(headerText.includes(secret), 'a secret in the headers').to.equal(false);
    }
    expect(text).to.not.match(STACK_TRACE);
  }

  /** Builds a POST to the project's reinstall path with the main key, or with `headers`. */
  function post(body: string, headers: Record<string, string> = {}) {
    const path = submitPath(DOMAIN);
    return { method: 'POST', path, body, headers: { authorization: auth, ...headers } };
  }

  /** Builds a GET of `path` with the main key. */
  function get(path: string) {
    return { path, headers: { authorization: auth } };
  }

  const basicWithWrongKey = () => `Basic ${Buffer.from(`${USER}:${key}0`).toString('base64')}`;
  const largeBody = () => JSON.stringify({ app_id: APP, pad: 'x'.repeat(MAX_BODY_BYTES) });
  const tooManyUsers = () => JSON.stringify(usersBody(APP, validNumbers(MAX_USERS + 1, 8400)));
  const as = (authorization: string) => ({ authorization });

  const cases = (): ErrorCase[] => [
    { name: '401 without credentials', status: 401, ...post('{}'), headers: {} },
    { name: '401 for a wrong key', status: 401, ...post('{}', as(`${auth}0`)) },
    { name: '401 for Basic, wrong key', status: 401, ...post('{}', as(basicWithWrongKey())) },
    { name: '401 for a wrong user', status: 401, ...post('{}', as(`ApiKey x@example.org:${key}`)) },
    { name: '401 for a low plan', status: 401, ...post('{}'), path: submitPath('low-plan') },
    { name: '403 for another project', status: 403, ...post('{}'), path: submitPath('other') },
    { name: '403, registration off', status: 403, ...post('{}'),
      path: submitPath('registration-off') },
    { name: '400 for invalid JSON', status: 400, ...post('{"app_id": ') },
    { name: '400 for a missing field', status: 400, ...post(JSON.stringify({ app_id: APP })) },
    { name: '400 for a __proto__ key', status: 400, ...post('{"__proto__": {}}') },
    { name: '400, bad Idempotency-Key', status: 400, ...post('{}', { 'idempotency-key': 'a b' }) },
    { name: '400 for a bad query', status: 400, ...get(`${batchesPath}?limit=-1`) },
    { name: '404 for an unknown project', status: 404, ...post('{}'), path: submitPath('nowhere') },
    { name: '404, unknown version', status: 404, ...post('{}'), path: submitPath(DOMAIN, 'v0_1') },
    { name: '404 for an unknown batch', status: 404, ...get(`${batchesPath}${'0'.repeat(24)}/`) },
    { name: '404 for an unknown route', status: 404, ...get('/a/nothing') },
    { name: '413 for a large body', status: 413, ...post(largeBody()) },
    { name: '413 for too many users', status: 413, ...post(tooManyUsers()) },
    { name: '415, unknown encoding', status: 415,
      ...post('{}', { 'content-encoding': 'compress' }) },
  ];

  it('hides secrets in 400 to 415 responses', async () => {
    for (const request of cases()) {
      await expectNoSecrets(request).catch((error: Error) => {
        throw new Error(`${request.name}: ${error.message}`);
      });
    }
  });

  it('hides secrets in 401 for an expired key', async () => {
    const expired = await addKey([DOMAIN], { expiresAt: new Date(Date.now() - 1000) });
    await expectNoSecrets({ name: 'expired', status: 401, ...post('{}', as(expired.auth)) });
  });

  it('hides secrets in 403 for a key without edit-data', async () => {
    const readOnly = await addKey([DOMAIN], { permissions: [] });
    await expectNoSecrets({ name: 'read-only', status: 403, ...post('{}', as(readOnly.auth)) });
  });

  it('hides secrets in 429 responses', async () => {
    const limited = await addKey([DOMAIN]);
    const request = { name: 'limited', path: batchesPath, headers: as(limited.auth) };
    for (let i = 0; i < RATE_LIMIT; i++) await expectNoSecrets({ ...request, status: 200 });
    await expectNoSecrets({ ...request, status: 429 });
  });

  it('hides secrets in 503 responses', async () => {
    await proxy.cut();
    const redis = harness.api.services.redis;
    await waitFor(() => redis.status !== 'ready', 'the API to notice the outage');
    const body = JSON.stringify(usersBody(APP, validNumbers(1, 8500)));
    await expectNoSecrets({ name: 'outage', status: 503, ...post(body) });
    await expectNoSecrets({ name: 'outage batch', status: 503, ...get(batchesPath) });
  });
});
