import { expect } from 'chai';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BOARD_PATH } from '../api/admin-board.js';
import { maskJobData } from '../api/mask-job-data.js';
import { ConfigError, loadConfig } from '../shared/config.js';
import { maskNumber } from '../shared/logger.js';
import { operatorPassword } from '../shared/operator-password.js';
import { REINSTALL_QUEUE, reinstallJobId } from '../shared/reinstall-job.js';
import { launchChromium } from './support/headless-chromium.js';
import { validNumbers } from './support/phone-numbers.js';
import { ServiceHarness, usersBody, type HttpAnswer } from './support/service-harness.js';
import { rememberSecret } from './support/test-log.js';

const DOMAIN = 'board';
const APP = 'app1';
const USER = 'operator';
const PASSWORD = 'correct horse battery staple';
const SCREENSHOT = path.join(tmpdir(), 'reinstall-admin-board.png');

function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

/** A board job as its JSON API returns it, reduced to the fields checked here. */
interface BoardJob {
  id: string;
  name: string;
  data: { batchId: string; index: number; to: string; messages: { text: string }[] };
}

function expectOperatorChallenge(answer: HttpAnswer): void {
  expect(answer.status).to.equal(401);
  expect(answer.headers.get('www-authenticate')).to.equal('Basic realm="operators"');
  expect(answer.headers.get('content-type')).to.match(/^application\/json/);
  expect((answer.body as { error?: unknown }).error).to.be.a('string');
}

describe('admin board', () => {
  const harness = new ServiceHarness({ env: { OPERATOR_PASSWORD: PASSWORD }, withoutWorker: true });
  const [number] = validNumbers(1, 7000);
  const operator = { authorization: basic(USER, PASSWORD) };
  let jobId: string;
  let staticPath: string;

  before(async () => {
    // The suite's last check scans the service log for remembered secrets.
    rememberSecret(PASSWORD);
    await harness.start();
    const auth = await harness.addProject(DOMAIN, APP);
    const answer = await harness.reinstall(DOMAIN, auth, usersBody(APP, [number]), {
      prefer: 'respond-async',
    });
    expect(answer.status, answer.text).to.equal(202);
    jobId = reinstallJobId((answer.body as { batch_id: string }).batch_id, 0);

    // The page's script names carry a content hash, so the path is read from the page itself.
    const page = await harness.request('GET', `${BOARD_PATH}/`, { headers: operator });
    const script = /src="(static\/js\/main\.[0-9a-f]+\.js)"/.exec(page.text);
    expect(script, 'the board page to reference its main script').to.not.equal(null);
    staticPath = `${BOARD_PATH}/${script![1]}`;
  });

  after(() => harness.stop());

  const queueApi = `${BOARD_PATH}/api/queues/${REINSTALL_QUEUE}`;
  const routes = () => [
    { kind: 'page', path: BOARD_PATH },
    { kind: 'JSON API', path: `${BOARD_PATH}/api/queues` },
    { kind: 'static file', path: staticPath },
  ];

  describe('without valid credentials', () => {
    const attempts: Record<string, Record<string, string>> = {
      'no credentials': {},
      'a wrong password': { authorization: basic(USER, 'wrong password') },
      'a wrong user': { authorization: basic('someone', PASSWORD) },
      'the user in capitals': { authorization: basic(USER.toUpperCase(), PASSWORD) },
      'a project API key': { authorization: `ApiKey ${USER}:${PASSWORD}` },
      'a malformed header': { authorization: 'Basic not base64 at all' },
    };

    for (const [attempt, headers] of Object.entries(attempts)) {
      it(`returns 401 to ${attempt}`, async () => {
        for (const route of routes()) {
          const answer = await harness.request('GET', route.path, { headers });
          expect(answer.status, `${route.kind} ${route.path}`).to.equal(401);
          expectOperatorChallenge(answer);
        }
      });
    }

    it('returns 401 on a differently cased path', async () => {
      const answer = await harness.request('GET', `${BOARD_PATH.toUpperCase()}/api/queues`);
      expectOperatorChallenge(answer);
    });

    it('returns 401 before a board write', async () => {
      const answer = await harness.request('PUT', `${BOARD_PATH}/api/queues/pause`);
      expectOperatorChallenge(answer);
      expect(await harness.api.services.queue.isPaused()).to.equal(false);
    });
  });

  describe('with the operator credentials', () => {
    it('serves the page, JSON API and static file', async () => {
      for (const route of routes()) {
        const answer = await harness.request('GET', route.path, { headers: operator });
        expect(answer.status, `${route.kind} ${route.path}`).to.equal(200);
      }
    });

    it('serves the page with its base path', async () => {
      const answer = await harness.request('GET', BOARD_PATH, { headers: operator });
      expect(answer.headers.get('content-type')).to.match(/^text\/html/);
      expect(answer.text).to.include(`<base href="${BOARD_PATH}/"`);
    });

    it('serves the static file as JavaScript', async () => {
      const answer = await harness.request('GET', staticPath, { headers: operator });
      expect(answer.headers.get('content-type')).to.match(/javascript/);
    });
  });

  describe('job data', () => {
    async function listedJobs(): Promise<BoardJob[]> {
      const query = `activeQueue=${REINSTALL_QUEUE}&status=waiting`;
      const answer = await harness.request('GET', `${BOARD_PATH}/api/queues?${query}`, {
        headers: operator,
      });
      expect(answer.status, answer.text).to.equal(200);
      expect(answer.text).to.not.include(number);
      const { queues } = answer.body as { queues: { name: string; jobs: BoardJob[] }[] };
      const queue = queues.find((candidate) => candidate.name === REINSTALL_QUEUE);
      expect(queue, 'the reinstall queue in the listing').to.not.equal(undefined);
      return queue!.jobs;
    }

    it('lists the job with its number masked', async () => {
      const jobs = await listedJobs();
      expect(jobs.map((job) => job.id)).to.deep.equal([jobId]);
      expect(jobs[0].data.to).to.equal(maskNumber(number));
      expect(jobs[0].data.to).to.match(/^\*+\d{4}$/);
    });

    it('shows the job name, batch id and texts', async () => {
      const [job] = await listedJobs();
      expect(job.name).to.equal('send-reinstall-sms');
      expect(reinstallJobId(job.data.batchId, job.data.index)).to.equal(jobId);
      expect(job.data.messages).to.have.length(2);
      expect(job.data.messages[0].text).to.be.a('string').and.not.equal('');
    });

    it('masks the number on the job route', async () => {
      const answer = await harness.request('GET', `${queueApi}/${jobId}`, { headers: operator });
      expect(answer.status, answer.text).to.equal(200);
      expect(answer.text).to.not.include(number);
      expect((answer.body as { job: BoardJob }).job.data.to).to.equal(maskNumber(number));
    });

    it('keeps the real number in the queue', async () => {
      const job = await harness.api.services.queue.getJob(jobId);
      expect(job?.data.to).to.equal(number);
    });

    it('rejects edits of masked data', async () => {
      const answer = await harness.request('PATCH', `${queueApi}/${jobId}/update-data`, {
        headers: operator,
        body: { jobData: { to: maskNumber(number) } },
      });
      expect(answer.status, answer.text).to.equal(403);
      const job = await harness.api.services.queue.getJob(jobId);
      expect(job?.data.to).to.equal(number);
    });

    it('rejects adding jobs from the board', async () => {
      const answer = await harness.request('POST', `${queueApi}/add`, {
        headers: operator,
        body: { name: 'send-reinstall-sms', data: { to: number }, options: {} },
      });
      expect(answer.status, answer.text).to.equal(403);
      expect(await harness.api.services.queue.getWaitingCount()).to.equal(1);
    });
  });

  describe('in Chromium', () => {
    it('lists the reinstall queue', async function () {
      this.timeout(60_000);
      const browser = await launchChromium({ username: USER, password: PASSWORD });
      try {
        const page = await browser.context.newPage();
        const response = await page.goto(`${harness.baseUrl}${BOARD_PATH}`);
        expect(response?.status()).to.equal(200);
        await page.getByText(REINSTALL_QUEUE).first().waitFor({ timeout: 30_000 });
        rmSync(SCREENSHOT, { force: true });
        await page.screenshot({ path: SCREENSHOT, fullPage: true });
        expect(await page.locator('body').innerText()).to.include(REINSTALL_QUEUE);
      } finally {
        await browser.close();
      }
      expect(statSync(SCREENSHOT).size).to.be.greaterThan(0);
    });
  });
});

describe('admin board without an operator password', () => {
  const harness = new ServiceHarness({ withoutWorker: true });

  before(() => harness.start());
  after(() => harness.stop());

  const urlPaths = ['/admin', BOARD_PATH, `${BOARD_PATH}/api/queues`, `${BOARD_PATH}/static/x.js`];

  for (const urlPath of urlPaths) {
    it(`returns 404 on ${urlPath}`, async () => {
      const answer = await harness.request('GET', urlPath, {
        headers: { authorization: basic(USER, PASSWORD) },
      });
      expect(answer.status).to.equal(404);
      expect((answer.body as { error: string }).error).to.include('set OPERATOR_PASSWORD');
    });
  }
});

describe('maskJobData', () => {
  it('masks the to field whatever its shape', () => {
    expect(maskJobData({ to: '16175551234' })).to.deep.equal({ to: '*******1234' });
    expect(maskJobData({ to: '12345' })).to.deep.equal({ to: '*2345' });
  });

  it('masks phone-shaped values in other fields', () => {
    const masked = maskJobData({ from: '+1 (617) 555-1234', list: [{ phone: 16175551234 }] });
    expect(masked).to.deep.equal({ from: '*******1234', list: [{ phone: '*******1234' }] });
  });

  it('keeps ids, indexes and texts', () => {
    const data = {
      batchId: '0123456789abcdef01234567',
      index: 999_999,
      domain: 'demo',
      messages: [{ text: 'Tap to reinstall CommCare: https://example.org/x', encoding: 'GSM-7' }],
    };
    expect(maskJobData(data)).to.deep.equal(data);
  });
});

describe('operator password for npm start', () => {
  let dataDir: string;

  beforeEach(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'reinstall-operator-'));
  });

  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('generates once and keeps it', () => {
    const first = operatorPassword(dataDir, undefined);
    expect(first.generated).to.equal(true);
    expect(first.password).to.have.length.greaterThan(20);
    expect(statSync(first.file!).mode & 0o777).to.equal(0o600);

    const second = operatorPassword(dataDir, undefined);
    expect(second.generated).to.equal(false);
    expect(second.password).to.equal(first.password);
  });

  it('prefers OPERATOR_PASSWORD', () => {
    const chosen = operatorPassword(dataDir, 'from-env');
    expect(chosen).to.deep.equal({ password: 'from-env', generated: false });
    expect(existsSync(path.join(dataDir, 'operator-password'))).to.equal(false);
  });

  it('rejects an empty password file', () => {
    writeFileSync(path.join(dataDir, 'operator-password'), '\n');
    expect(() => operatorPassword(dataDir, undefined)).to.throw(ConfigError, /is empty/);
    expect(readFileSync(path.join(dataDir, 'operator-password'), 'utf8')).to.equal('\n');
  });
});

describe('operator config', () => {
  it('defaults the user to operator', () => {
    const config = loadConfig({});
    expect(config.operatorUser).to.equal('operator');
    expect(config.operatorPassword).to.equal(undefined);
  });

  it('rejects a user name with a colon', () => {
    expect(() => loadConfig({ OPERATOR_USER: 'ops:team' })).to.throw(ConfigError, /OPERATOR_USER/);
  });
});
