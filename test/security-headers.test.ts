import { expect } from 'chai';
import { BOARD_PATH } from '../api/admin-board.js';
import { DOCS_PATH } from '../api/openapi-document.js';
import { launchChromium } from './support/headless-chromium.js';
import { ServiceHarness } from './support/service-harness.js';
import { rememberSecret } from './support/test-log.js';

const DOMAIN = 'headers';
const APP = 'app1';
const USER = 'operator';
const PASSWORD = 'headers test operator password';
const API_PATH = `/a/${DOMAIN}/api/v0_5/sms_user_registration_reinstall/`;

/** Parses a Content-Security-Policy header into directive name -> sources. */
function directives(policy: string | null): Map<string, string[]> {
  const parsed = new Map<string, string[]>();
  for (const part of (policy ?? '').split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name) parsed.set(name, sources);
  }
  return parsed;
}

function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

describe('security headers', () => {
  const harness = new ServiceHarness({ withoutWorker: true, env: { OPERATOR_PASSWORD: PASSWORD } });
  let auth: string;

  before(async () => {
    rememberSecret(PASSWORD);
    await harness.start();
    auth = await harness.addProject(DOMAIN, APP);
  });

  after(() => harness.stop());

  async function headersOf(path: string, init: RequestInit = {}): Promise<Headers> {
    const response = await fetch(`${harness.baseUrl}${path}`, init);
    await response.arrayBuffer();
    return response.headers;
  }

  const requests: { name: string; path: string; init?: () => RequestInit }[] = [
    { name: 'a health check', path: '/healthz' },
    { name: 'an unknown path', path: '/nothing-here' },
    { name: 'a 401', path: API_PATH, init: () => ({ method: 'POST', body: '{}' }) },
    {
      name: 'a 400',
      path: API_PATH,
      init: () => ({ method: 'POST', body: '{', headers: { authorization: auth } }),
    },
    {
      name: 'the batch list',
      path: `${API_PATH}batches/`,
      init: () => ({ headers: { authorization: auth } }),
    },
    { name: 'app info', path: `/a/${DOMAIN}/sms/app_info/${APP}/` },
  ];

  for (const { name, path, init } of requests) {
    it(`sets the API headers on ${name}`, async () => {
      const headers = await headersOf(path, init?.());
      const policy = directives(headers.get('content-security-policy'));

      expect(policy.get('default-src')).to.deep.equal(["'none'"]);
      expect(policy.get('frame-ancestors')).to.deep.equal(["'none'"]);
      expect(headers.get('x-content-type-options')).to.equal('nosniff');
      expect(headers.get('x-frame-options')).to.equal('DENY');
      expect(headers.get('referrer-policy')).to.equal('no-referrer');
      expect(headers.get('cross-origin-resource-policy')).to.equal('same-origin');
      expect(headers.get('strict-transport-security')).to.match(/^max-age=\d+/);
      expect(headers.get('x-powered-by')).to.equal(null);
    });
  }

  it('lets the board page load its own scripts', async () => {
    const operator = { authorization: basic(USER, PASSWORD) };
    const headers = await headersOf(BOARD_PATH, { headers: operator });
    const policy = directives(headers.get('content-security-policy'));

    expect(policy.get('script-src')).to.deep.equal(["'self'"]);
    expect(policy.get('frame-ancestors')).to.deep.equal(["'none'"]);
    expect(policy.has('upgrade-insecure-requests')).to.equal(false);
  });

  it('keeps the API policy on the OpenAPI document', async () => {
    const document = await fetch(`${harness.baseUrl}/openapi.json`);
    const policy = directives(document.headers.get('content-security-policy'));
    expect(policy.get('default-src')).to.deep.equal(["'none'"]);
  });

  describe('in Chromium', () => {
    /** Opens the page and returns the console's Content-Security-Policy reports. */
    async function violationsOn(path: string, readyText: string): Promise<string[]> {
      const browser = await launchChromium({ username: USER, password: PASSWORD });
      try {
        const page = await browser.context.newPage();
        const violations: string[] = [];
        page.on('console', (message) => {
          if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
        });
        const response = await page.goto(`${harness.baseUrl}${path}`);
        expect(response?.status()).to.equal(200);
        await page.getByText(readyText).first().waitFor({ timeout: 30_000 });
        return violations;
      } finally {
        await browser.close();
      }
    }

    it('renders the board without violations', async function () {
      this.timeout(60_000);
      expect(await violationsOn(BOARD_PATH, 'reinstall')).to.deep.equal([]);
    });

    it('renders the docs without violations', async function () {
      this.timeout(60_000);
      expect(await violationsOn(DOCS_PATH, 'sms_user_registration_reinstall')).to.deep.equal([]);
    });
  });
});
