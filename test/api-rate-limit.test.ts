import { expect } from 'chai';
import { runApi, type RunningApi } from '../api/run-api.js';
import { validNumbers } from './support/phone-numbers.js';
import { ServiceHarness, usersBody } from './support/service-harness.js';
import { testLogger } from './support/test-log.js';

const LIMIT = 3;
const APP = 'app1';
const basePath = (domain: string) => `/a/${domain}/api/v0_5/sms_user_registration_reinstall/`;
const batchesPath = (domain: string) => `${basePath(domain)}batches/`;

interface Response {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

// Plain fetch rather than harness.request, because this checks the limiter's responses, not the
// OpenAPI document.
async function send(url: string, auth: string, init: RequestInit = {}): Promise<Response> {
  const response = await fetch(url, { ...init, headers: { authorization: auth } });
  const body = (await response.json()) as Record<string, unknown>;
  return { status: response.status, headers: response.headers, body };
}

describe('API rate limit', () => {
  const harness = new ServiceHarness({
    withoutWorker: true,
    env: { API_RATE_PER_MINUTE: String(LIMIT) },
  });
  let second: RunningApi;

  before(async () => {
    await harness.start();
    // A second API process over the same Redis and prefix, as a deployment with two would run.
    second = await runApi(harness.config, testLogger());
  });

  after(async () => {
    await second?.close();
    await harness.stop();
  });

  /** Returns the status of a batch-list request to the first API process, or to the second. */
  async function listStatus(domain: string, auth: string, api: 'first' | 'second' = 'first') {
    const base = api === 'first' ? harness.baseUrl : `http://127.0.0.1:${second.port}`;
    return (await send(`${base}${batchesPath(domain)}`, auth)).status;
  }

  async function keyIdOf(domain: string): Promise<string> {
    const records = await harness.apiKeys.list();
    return records.find((record) => record.domains.includes(domain))!.id;
  }

  it('returns 429 with Retry-After past the limit', async () => {
    const auth = await harness.addProject('limited', APP);
    for (let i = 0; i < LIMIT; i++) {
      expect(await listStatus('limited', auth), `request ${i + 1}`).to.equal(200);
    }
    const response = await send(`${harness.baseUrl}${batchesPath('limited')}`, auth);

    expect(response.status).to.equal(429);
    expect(response.headers.get('content-type')).to.match(/^application\/json/);
    const retryAfter = Number(response.headers.get('retry-after'));
    expect(retryAfter).to.be.within(1, 60);
    expect(response.body.error).to.be.a('string').and.include(`${LIMIT} requests per minute`);
    expect(response.body.error).to.include(`retry after ${retryAfter} seconds`);
  });

  it('shares the count between API processes', async () => {
    const auth = await harness.addProject('shared', APP);
    expect(await listStatus('shared', auth, 'first')).to.equal(200);
    expect(await listStatus('shared', auth, 'second')).to.equal(200);
    expect(await listStatus('shared', auth, 'first')).to.equal(200);

    expect(await listStatus('shared', auth, 'second')).to.equal(429);
  });

  it('limits each key separately', async () => {
    const first = await harness.addProject('first-key', APP);
    const other = await harness.addProject('other-key', APP);
    for (let i = 0; i <= LIMIT; i++) await listStatus('first-key', first);

    expect(await listStatus('first-key', first)).to.equal(429);
    expect(await listStatus('other-key', other)).to.equal(200);
  });

  it('rejects before reading the body or enqueueing', async () => {
    const auth = await harness.addProject('body-unread', APP);
    for (let i = 0; i < LIMIT; i++) await listStatus('body-unread', auth);
    const url = `${harness.baseUrl}${basePath('body-unread')}`;

    const invalid = await send(url, auth, { method: 'POST', body: '{not json' });
    const valid = await send(url, auth, {
      method: 'POST',
      body: JSON.stringify(usersBody(APP, validNumbers(1, 8300))),
    });

    expect(invalid.status).to.equal(429);
    expect(valid.status).to.equal(429);
    const counts = await harness.api.services.queue.getJobCounts();
    const jobs = Object.values(counts).reduce((sum, count) => sum + count, 0);
    expect(jobs, JSON.stringify(counts)).to.equal(0);
  });

  it('counts requests that fail the project checks', async () => {
    const auth = await harness.addProject('wrong-project', APP);
    for (let i = 0; i < LIMIT; i++) {
      expect(await listStatus('no-such-project', auth)).to.equal(404);
    }
    expect(await listStatus('wrong-project', auth)).to.equal(429);
  });

  it('does not count requests without valid credentials', async () => {
    await harness.addProject('anonymous', APP);
    for (let i = 0; i <= LIMIT; i++) {
      expect(await listStatus('anonymous', 'ApiKey nobody@example.org:wrong')).to.equal(401);
    }
  });

  it('admits again once the oldest request leaves the window', async () => {
    const auth = await harness.addProject('window', APP);
    for (let i = 0; i <= LIMIT; i++) await listStatus('window', auth);
    const logKey = harness.keys.apiRate(await keyIdOf('window'));
    const entries = await harness.redis.zrange(logKey, 0, -1, 'WITHSCORES');
    expect(entries.length / 2, 'rejected requests are not logged').to.equal(LIMIT);
    expect(await harness.redis.pttl(logKey)).to.be.within(1, 60_000);

    // Moves the oldest entry 61 s into the past, as if that much time had passed since it.
    await harness.redis.zadd(logKey, Number(entries[1]) - 61_000, entries[0]!);

    expect(await listStatus('window', auth)).to.equal(200);
    expect(await listStatus('window', auth)).to.equal(429);
  });
});
