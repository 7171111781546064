import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { SubmissionRun } from '../cli/batch-submission.js';
import { ProgressBar, type ProgressStream } from '../cli/progress-bar.js';
import { ReinstallClient } from '../cli/reinstall-client.js';
import { buildResultRows } from '../cli/submission-results.js';
import { validNumbers } from './support/phone-numbers.js';
import { ServiceHarness } from './support/service-harness.js';

const ROOT = path.resolve(__dirname, '..');
const DOMAIN = 'submit';
const APP = 'app1';
const BATCHES_PATH = `/a/${DOMAIN}/api/v0_5/sms_user_registration_reinstall/batches`;

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  elapsedMs: number;
}

interface BatchView {
  success_numbers: string[];
  invalid_format_numbers: string[];
  error_numbers: string[];
  pending_numbers: string[];
}

/** Runs the real CLI in a child process, as `npm run cli` does. */
function runCli(args: string[], env: Record<string, string>, timeoutMs = 20_000) {
  const started = Date.now();
  const options = {
    cwd: ROOT,
    env: { ...process.env, ...env },
    timeout: timeoutMs,
    maxBuffer: 16 * 1024 * 1024,
  };
  return new Promise<CliResult>((resolve) => {
    const argv = ['--import', 'tsx', 'cli/main.ts', ...args];
    execFile(process.execPath, argv, options, (error, stdout, stderr) => {
      const code = error ? Number(error.code ?? 1) : 0;
      resolve({ code, stdout, stderr, elapsedMs: Date.now() - started });
    });
  });
}

/**
 * Returns a loopback port that nothing listens on, found by listening on a free port and
 * closing it. Port 1 does not do, because fetch blocks it as a "bad port" before connecting.
 */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Reads a results file into rows of cells; no cell of these tests contains a comma. */
function readResults(file: string): string[][] {
  const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
  return lines.map((line) => line.split(','));
}

function digitsOf(phoneNumber: string): string {
  return phoneNumber.replace(/\D/g, '');
}

/** Distinct numbers that the service lists as invalid_format, none a normalised repeat. */
const INVALID_NUMBERS = [
  '12345',
  'not-a-number',
  '+1 617 555',
  '0',
  '999999999999999999',
  '1617555abcd',
  '44',
  '+',
  'n/a',
  '1-800-FLOWERS',
];

describe('cli submit', function () {
  // Each run starts a Node process that loads tsx: about a second on a 2-core machine.
  this.timeout(30_000);

  // Created in the hook, because its Redis connection would keep mocha from exiting when
  // --grep skips this suite's hooks.
  let harness: ServiceHarness;
  const workDir = mkdtempSync(path.join(tmpdir(), 'cli-submit-test-'));
  let env: Record<string, string>;
  let apiKey: string;

  before(async () => {
    // The production gateway timeout replaces the harness's 1 s. On a loaded machine a send
    // can take longer than 1 s. The worker re-sends a timed-out message, because it may have
    // been lost, so a success would then have three messages.
    harness = new ServiceHarness({ env: { GATEWAY_TIMEOUT_MS: '10000' } });
    await harness.start();
    const auth = await harness.addProject(DOMAIN, APP);
    const [username, key] = auth.replace(/^ApiKey /, '').split(':');
    apiKey = key;
    env = {
      KEY_PREFIX: harness.prefix,
      REINSTALL_API_USER: username,
      REINSTALL_API_KEY: key,
    };
  });

  after(async () => {
    await harness?.stop();
    rmSync(workDir, { recursive: true, force: true });
  });

  function submit(file: string, extra: string[] = [], overrides: Record<string, string> = {}) {
    const args = ['submit', DOMAIN, file, '--app', APP, '--url', harness.baseUrl, ...extra];
    return runCli(args, { ...env, ...overrides });
  }

  describe('when 10,000 numbers settle', () => {
    const file = path.join(workDir, 'ten-thousand.csv');
    const valid = validNumbers(9990, 0);
    const optedOut = [valid[17], valid[5003], valid[9989]];
    const inputs: string[] = [];
    let result: CliResult;

    before(async function () {
      // 10,000 numbers through the in-process worker took 80-115 s on a 2-core machine that
      // other test runs kept busy (load average 5-7).
      this.timeout(180_000);
      for (const digits of optedOut) await harness.registry.addOptOut(DOMAIN, digits);
      let invalidCount = 0;
      valid.forEach((digits, i) => {
        if (i % 999 === 500) inputs.push(INVALID_NUMBERS[invalidCount++]);
        // Some numbers are written with a + to check that they come back as written.
        inputs.push(i % 1000 === 0 ? `+${digits}` : digits);
      });
      expect(inputs).to.have.length(10_000);
      const rows = inputs.map((phoneNumber, i) => `worker ${i},${phoneNumber},note`);
      writeFileSync(file, `name,phone_number,notes\n${rows.join('\n')}\n`);
      const args = ['submit', DOMAIN, file, '--app', APP, '--url', harness.baseUrl];
      result = await runCli(args, env, 170_000);
    });

    it('exits 0 with a summary', () => {
      expect(result.code, result.stderr).to.equal(0);
      const out = `${file}.results.csv`;
      expect(result.stdout).to.equal(
        `10000 numbers: 9987 success, 10 invalid_format, 3 error; results in ${out}\n`,
      );
    });

    it('submits two batches of 5,000', () => {
      expect(result.stderr).to.match(/^submitted lines 2-5001: batch [0-9a-f]+$/m);
      expect(result.stderr).to.match(/^submitted lines 5002-10001: batch [0-9a-f]+$/m);
    });

    it('shows progress on stderr', () => {
      const progress = result.stderr.split('\n').filter((line) => line.startsWith('['));
      expect(progress.length).to.be.at.least(1);
      const last = progress[progress.length - 1];
      expect(last).to.equal(
        `[${'#'.repeat(24)}]  10000/10000  100%  success 9987  invalid 10  error 3`,
      );
    });

    it('prints no full number or key', () => {
      // Batch ids are hex, which can hold ten digits in a row.
      expect(result.stderr.replace(/batch [0-9a-f]+/g, 'batch')).not.to.match(/\d{10}/);
      expect(result.stdout).not.to.match(/\d{10}/);
      expect(result.stderr).not.to.include(apiKey);
    });

    it('writes one row per number in order', () => {
      const [header, ...rows] = readResults(`${file}.results.csv`);
      expect(header).to.deep.equal(['phone_number', 'outcome', 'reason']);
      expect(rows.map((row) => row[0])).to.deep.equal(inputs);
    });

    it('gives each row its outcome and reason', () => {
      const [, ...rows] = readResults(`${file}.results.csv`);
      const invalid = new Set(INVALID_NUMBERS);
      const errors = new Set(optedOut);
      for (const [phoneNumber, outcome, reason] of rows) {
        if (invalid.has(phoneNumber)) {
          const expected = ['invalid_format', 'invalid format'];
          expect([outcome, reason], phoneNumber).to.deep.equal(expected);
        } else if (errors.has(phoneNumber)) {
          expect([outcome, reason], phoneNumber).to.deep.equal(['error', 'error']);
        } else {
          expect([outcome, reason], phoneNumber).to.deep.equal(['success', '']);
        }
      }
    });

    it('matches rows to the batch lists', async () => {
      const batchIds = [...result.stderr.matchAll(/: batch ([0-9a-f]+)$/gm)].map((m) => m[1]);
      expect(batchIds).to.have.length(2);
      const merged: BatchView = {
        success_numbers: [],
        invalid_format_numbers: [],
        error_numbers: [],
        pending_numbers: [],
      };
      for (const batchId of batchIds) {
        const location = `${BATCHES_PATH}/${batchId}/`;
        const answer = await harness.request('GET', location, {
          headers: { authorization: `ApiKey ${env.REINSTALL_API_USER}:${apiKey}` },
        });
        expect(answer.status).to.equal(200);
        const batch = answer.body as BatchView;
        merged.success_numbers.push(...batch.success_numbers);
        merged.invalid_format_numbers.push(...batch.invalid_format_numbers);
        merged.error_numbers.push(...batch.error_numbers);
        merged.pending_numbers.push(...batch.pending_numbers);
      }

      const [, ...rows] = readResults(`${file}.results.csv`);
      const numbersWith = (outcome: string) =>
        rows.filter((row) => row[1] === outcome).map((row) => row[0]);
      expect(merged.success_numbers).to.deep.equal(numbersWith('success'));
      expect(merged.invalid_format_numbers).to.deep.equal(numbersWith('invalid_format'));
      expect(merged.error_numbers).to.deep.equal(numbersWith('error'));
      expect(merged.pending_numbers).to.deep.equal([]);
    });

    it('sends two SMS per success only', () => {
      const [, ...rows] = readResults(`${file}.results.csv`);
      const unexpected: string[] = [];
      for (const [phoneNumber, outcome] of rows) {
        if (outcome === 'invalid_format') continue;
        const received = harness.simulator.inbox(digitsOf(phoneNumber)).length;
        const expected = outcome === 'success' ? 2 : 0;
        if (received !== expected) unexpected.push(`${phoneNumber}: ${received} messages`);
      }
      expect(unexpected).to.deep.equal([]);
    });
  });

  describe('when the file lists one number per line', () => {
    const numbers = validNumbers(5, 1000, '415');
    const file = path.join(workDir, 'plain.txt');
    const out = path.join(workDir, 'plain-results.csv');
    const written = [
      `+1 (415) 555-${numbers[0].slice(-4)}`,
      numbers[1],
      'bad-number',
      numbers[2],
      `00${numbers[3]}`,
      numbers[4],
    ];
    let result: CliResult;

    before(async () => {
      const text = `\n${written[0]}\n\n  ${written[1]}  \n${written.slice(2).join('\r\n')}\n\n`;
      writeFileSync(file, text);
      const options = ['--out', out, '--chunk-size', '2', '--message', 'Reinstall now: {}'];
      result = await submit(file, options);
    });

    it('exits 0 with a summary', () => {
      expect(result.code, result.stderr).to.equal(0);
      expect(result.stdout).to.equal(
        `6 numbers: 5 success, 1 invalid_format, 0 error; results in ${out}\n`,
      );
    });

    it('sends chunks as separate batches', () => {
      const submitted = result.stderr.split('\n').filter((line) => line.startsWith('submitted'));
      expect(submitted).to.have.length(3);
      // A batch whose worker finishes before the response is written settles at once.
      const batch = '(batch [0-9a-f]+|settled at once)';
      expect(submitted[0]).to.match(new RegExp(`^submitted lines 2-4: ${batch}$`));
      expect(submitted[1]).to.match(new RegExp(`^submitted lines 5-6: ${batch}$`));
      expect(submitted[2]).to.match(new RegExp(`^submitted lines 7-8: ${batch}$`));
    });

    it('merges the batches in input order', () => {
      expect(readResults(out)).to.deep.equal([
        ['phone_number', 'outcome', 'reason'],
        [written[0], 'success', ''],
        [written[1], 'success', ''],
        ['bad-number', 'invalid_format', 'invalid format'],
        [written[3], 'success', ''],
        [written[4], 'success', ''],
        [written[5], 'success', ''],
      ]);
    });

    it('sends the given message text', () => {
      for (const digits of numbers) {
        const inbox = harness.simulator.inbox(digits);
        expect(inbox, digits).to.have.length(2);
        expect(inbox[0].text, digits).to.match(/^Reinstall now: https:\/\//);
        expect(inbox[1].text, digits).to.match(/^\[commcare app - do not delete\] /);
      }
    });
  });

  describe('when a CSV row has no number', () => {
    it('skips rows without a number', async () => {
      const [other] = validNumbers(1, 3000, '415');
      const sparse = path.join(workDir, 'sparse.csv');
      writeFileSync(sparse, `name,phone_number\nalice,${other}\nbob,\n`);
      const result = await submit(sparse);
      expect(result.code, result.stderr).to.equal(0);
      const note = 'skipped rows with an empty phone_number cell, on lines 3\n';
      expect(result.stderr).to.include(note);
      expect(readResults(`${sparse}.results.csv`)).to.deep.equal([
        ['phone_number', 'outcome', 'reason'],
        [other, 'success', ''],
      ]);
    });
  });

  describe('when submitting fails', () => {
    const [number] = validNumbers(1, 2000, '415');
    const file = path.join(workDir, 'one.txt');

    before(() => writeFileSync(file, `${number}\n`));

    it('names a bad key and exits 1', async () => {
      const result = await submit(file, [], { REINSTALL_API_KEY: 'wrong-key' });
      expect(result.code).to.equal(1);
      expect(result.stderr.trimEnd().split('\n')).to.have.length(1);
      expect(result.stderr).to.match(/^error: submitting line 1 to http:\/\/127\.0\.0\.1:\d+ /);
      expect(result.stderr).to.include('failed (HTTP 401)');
      expect(result.stderr).to.include('the username and API key do not match');
      expect(result.stderr).to.include('check REINSTALL_API_USER and REINSTALL_API_KEY');
      expect(result.stderr).not.to.include('wrong-key');
      expect(existsSync(`${file}.results.csv`)).to.equal(false);
      expect(harness.simulator.inbox(number)).to.deep.equal([]);
    });

    it('names a missing file', async () => {
      const missing = path.join(workDir, 'missing.csv');
      const result = await submit(missing);
      expect(result.code).to.equal(1);
      expect(result.stderr).to.equal(`error: file ${missing} not found; check the path\n`);
    });

    it('names a missing key', async () => {
      const result = await submit(file, [], { REINSTALL_API_KEY: '' });
      expect(result.code).to.equal(1);
      expect(result.stderr).to.equal(
        'error: the API key is missing; set REINSTALL_API_KEY or pass --key\n',
      );
    });

    it('names an unreachable URL', async () => {
      const url = `http://127.0.0.1:${await closedPort()}`;
      const result = await runCli(['submit', DOMAIN, file, '--app', APP, '--url', url], env);
      expect(result.code).to.equal(1);
      expect(result.stderr).to.equal(
        `error: submitting line 1 to ${url} failed (ECONNREFUSED); ` +
          'check --url and that the service is running there\n',
      );
    });

    it('shows the field message of a 400', async () => {
      const args = ['submit', DOMAIN, file, '--app', 'no-such-app', '--url', harness.baseUrl];
      const result = await runCli(args, env);
      expect(result.code).to.equal(1);
      expect(result.stderr).to.include('failed (HTTP 400): app_id: app "no-such-app" does not');
      expect(result.stderr).to.include('fix the values named and run the command again');
    });

    it('rejects a file without numbers', async () => {
      const empty = path.join(workDir, 'empty.csv');
      writeFileSync(empty, 'phone_number,name\n,alice\n\n');
      const result = await submit(empty);
      expect(result.code).to.equal(1);
      expect(result.stderr).to.equal(
        `error: ${empty} contains no phone numbers (the phone_number cell is empty on lines 2); ` +
          'put one number per line, or use a CSV file whose first line names a phone_number ' +
          'column\n',
      );
    });

    it('rejects a repeated number by line', async () => {
      const repeated = path.join(workDir, 'repeated.txt');
      writeFileSync(repeated, `${number}\n+${number}\n`);
      const result = await submit(repeated);
      expect(result.code).to.equal(1);
      expect(result.stderr).to.equal(
        `error: ${repeated} lists 1 numbers more than once (line 2 repeats line 1); ` +
          'list each number once and run the command again\n',
      );
    });

    it('exits 2 without --app', async () => {
      const result = await runCli(['submit', DOMAIN, file], env);
      expect(result.code).to.equal(2);
      expect(result.stderr).to.include('--app <app-id>');
    });
  });
});

/** A scripted stand-in for the reinstall API, with the requests it received. */
interface FakeApi {
  server: Server;
  baseUrl: string;
  posts: { idempotencyKey: string; numbers: string[] }[];
  polls: string[];
  close(): Promise<void>;
}

interface FakeApiScript {
  /** Whether the first POST gets 503 with Retry-After: 0. */
  unavailableFirst?: boolean;
  /** Users above which a POST gets 413. */
  maxUsers?: number;
  /** Status of every poll; 200 settles a batch on its second poll. */
  pollStatus?: number;
  /** Whether batches stay pending, however often they are polled. */
  neverSettle?: boolean;
}

/** Starts a loopback server that responds as `script` sets, recording what it received. */
async function startFakeApi(script: FakeApiScript = {}): Promise<FakeApi> {
  const api = { posts: [], polls: [] } as unknown as FakeApi;
  const batches = new Map<string, { numbers: string[]; polled: number }>();
  const json = (res: ServerResponse, status: number, body: unknown, headers = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };

  const poll = (req: IncomingMessage, res: ServerResponse) => {
    api.polls.push(req.url ?? '');
    const id = /batches\/(\w+)\//.exec(req.url ?? '')?.[1] ?? '';
    const batch = batches.get(id);
    if (!batch) return json(res, 404, { error: 'no batch' });
    const status = script.pollStatus ?? 200;
    if (status !== 200) {
      return json(res, status, { error: 'internal error; the failure was logged' });
    }
    batch.polled += 1;
    const settled = !script.neverSettle && batch.polled >= 2;
    return json(res, 200, batchBody(id, batch.numbers, settled));
  };

  const post = async (req: IncomingMessage, res: ServerResponse) => {
    let raw = '';
    for await (const chunk of req) raw += chunk;
    const users = JSON.parse(raw).users as { phone_number: string }[];
    const numbers = users.map((user) => user.phone_number);
    api.posts.push({ idempotencyKey: String(req.headers['idempotency-key']), numbers });
    if (script.unavailableFirst && api.posts.length === 1) {
      return json(res, 503, { error: 'busy' }, { 'Retry-After': '0' });
    }
    if (numbers.length > (script.maxUsers ?? Infinity)) {
      return json(res, 413, { error: `send at most ${script.maxUsers} users per request` });
    }
    const id = `b${batches.size + 1}`;
    batches.set(id, { numbers, polled: 0 });
    const location = `/a/fake/api/v0_5/sms_user_registration_reinstall/batches/${id}/`;
    return json(res, 202, batchBody(id, numbers, false), { Location: location });
  };

  api.server = createServer((req, res) => {
    void (req.method === 'GET' ? poll(req, res) : post(req, res));
  });
  await new Promise<void>((resolve) => api.server.listen(0, '127.0.0.1', resolve));
  api.baseUrl = `http://127.0.0.1:${(api.server.address() as AddressInfo).port}`;
  api.close = () => {
    api.server.closeAllConnections();
    return new Promise<void>((resolve) => api.server.close(() => resolve()));
  };
  return api;
}

/** Builds the 202 body. A pending batch has its last number pending and the rest successes. */
function batchBody(id: string, numbers: string[], settled: boolean) {
  return {
    batch_id: id,
    status: settled ? 'settled' : 'pending',
    success_numbers: settled ? numbers : numbers.slice(0, -1),
    invalid_format_numbers: [],
    error_numbers: [],
    pending_numbers: settled ? [] : numbers.slice(-1),
  };
}

/** Returns a stand-in for stderr that keeps what was written. */
function capture(isTTY: boolean): ProgressStream & { text: string } {
  const stream = {
    text: '',
    isTTY,
    write(chunk: string) {
      stream.text += chunk;
      return true;
    },
  };
  return stream;
}

describe('submission run', function () {
  this.timeout(20_000);

  let api: FakeApi;
  let stream: ReturnType<typeof capture>;
  let run: SubmissionRun;
  const inputs = ['1', '2', '3', '4', '5', '6', '7'].map((n, i) => ({
    line: i + 1,
    phoneNumber: `1617555100${n}`,
  }));

  before(async () => {
    api = await startFakeApi({ unavailableFirst: true, maxUsers: 3 });
    stream = capture(false);
    const progress = new ProgressBar(stream, { lineMs: 0 });
    const target = { baseUrl: api.baseUrl, domain: 'fake', username: 'u@example.org', apiKey: 'k' };
    const policy = {
      maxAttempts: 3,
      networkDelayMs: 10,
      defaultRetryAfterMs: 10,
      maxRetryAfterMs: 10,
    };
    const client = new ReinstallClient(target, (reason) => progress.note(reason), policy);
    run = new SubmissionRun(client, { appId: 'app' }, inputs, progress);
    await run.submitAll(5);
    await run.pollAll();
  });

  after(() => api.close());

  it('retries a 503 with the same key', () => {
    expect(api.posts[0].idempotencyKey).to.match(/^[0-9a-f-]{36}$/);
    expect(api.posts[1].idempotencyKey).to.equal(api.posts[0].idempotencyKey);
    expect(stream.text).to.include('the service is unavailable (HTTP 503)\n');
  });

  it('splits a chunk rejected with 413', () => {
    const sizes = api.posts.map((post) => post.numbers.length);
    expect(sizes).to.deep.equal([5, 5, 3, 2, 2]);
    expect(stream.text).to.include('rejected lines 1-5 as too large (HTTP 413); splitting it');
    const keys = new Set(api.posts.slice(1).map((post) => post.idempotencyKey));
    expect(keys.size).to.equal(4);
  });

  it('polls with a wait until settled', () => {
    expect(api.polls).to.have.length(6);
    for (const url of api.polls) expect(url).to.match(/\/batches\/b\d\/\?wait=5$/);
  });

  it('merges the batches in input order', () => {
    const rows = buildResultRows(inputs, run.submissions);
    expect(rows.map((row) => row.phoneNumber)).to.deep.equal(inputs.map((i) => i.phoneNumber));
    expect(rows.every((row) => row.outcome === 'success')).to.equal(true);
  });

  it('marks unsent numbers in partial results', () => {
    const rows = buildResultRows(inputs, run.submissions.slice(0, 1));
    expect(rows.map((row) => row.outcome)).to.deep.equal([
      'success',
      'success',
      'success',
      'not_submitted',
      'not_submitted',
      'not_submitted',
      'not_submitted',
    ]);
  });
});

describe('cli submit against a failing API', function () {
  this.timeout(30_000);

  const workDir = mkdtempSync(path.join(tmpdir(), 'cli-submit-fake-'));
  const numbers = validNumbers(4, 4000, '415');
  const file = path.join(workDir, 'numbers.txt');
  const env = { REINSTALL_API_USER: 'ops@example.org', REINSTALL_API_KEY: 'fake-key' };
  let api: FakeApi;

  before(() => writeFileSync(file, `${numbers.join('\n')}\n`));
  afterEach(() => api.close());
  after(() => rmSync(workDir, { recursive: true, force: true }));

  function submitTo(url: string, out: string) {
    const args = ['submit', 'fake', file, '--app', 'app1', '--url', url, '--out', out];
    return [...args, '--chunk-size', '2'];
  }

  it('saves partial results when polling fails', async () => {
    api = await startFakeApi({ pollStatus: 500 });
    const out = path.join(workDir, 'poll-failure.csv');
    const result = await runCli(submitTo(api.baseUrl, out), env);
    expect(result.code).to.equal(1);
    const errorLines = result.stderr.split('\n').filter((line) => line.startsWith('error:'));
    expect(errorLines).to.deep.equal([
      `error: polling batch b1 at ${api.baseUrl} failed (HTTP 500): internal error; the ` +
        'failure was logged; try again later; batches b1, b2 were accepted and may still be ' +
        `sending; the results so far are in ${out}`,
    ]);
    expect(readResults(out)).to.deep.equal([
      ['phone_number', 'outcome', 'reason'],
      [numbers[0], 'success', ''],
      [numbers[1], 'pending', 'still sending when the command stopped'],
      [numbers[2], 'success', ''],
      [numbers[3], 'pending', 'still sending when the command stopped'],
    ]);
  });

  it('saves partial results on Ctrl-C', async () => {
    api = await startFakeApi({ neverSettle: true });
    const out = path.join(workDir, 'interrupted.csv');
    const argv = ['--import', 'tsx', 'cli/main.ts', ...submitTo(api.baseUrl, out)];
    const child = execFile(process.execPath, argv, { cwd: ROOT, env: { ...process.env, ...env } });
    let stderr = '';
    let interrupted = false;
    child.stderr?.on('data', (chunk: string) => {
      stderr += chunk;
      if (interrupted || !stderr.includes('submitted lines 3-4')) return;
      interrupted = true;
      child.kill('SIGINT');
    });
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).to.equal(130);
    expect(stderr).to.include(
      `error: interrupted; batches b1, b2 were accepted and may still be sending; ` +
        `the results so far are in ${out}\n`,
    );
    expect(readResults(out).map((row) => row[1])).to.deep.equal([
      'outcome',
      'success',
      'pending',
      'success',
      'pending',
    ]);
  });
});

describe('progress bar', () => {
  it('redraws in place on a terminal', () => {
    const stream = capture(true);
    let now = 0;
    const bar = new ProgressBar(stream, { redrawMs: 100, now: () => now });
    bar.update({ total: 4, success: 1, invalid: 0, error: 0 });
    now = 50;
    bar.update({ total: 4, success: 2, invalid: 0, error: 0 });
    now = 200;
    bar.note('a note');
    bar.finish({ total: 4, success: 2, invalid: 1, error: 1 });
    expect(stream.text).to.equal(
      `\r\x1b[K[${'#'.repeat(6)}${'-'.repeat(18)}]  1/4  25%  success 1  invalid 0  error 0` +
        '\r\x1b[Ka note\n' +
        `[${'#'.repeat(6)}${'-'.repeat(18)}]  1/4  25%  success 1  invalid 0  error 0` +
        `\r\x1b[K[${'#'.repeat(24)}]  4/4  100%  success 2  invalid 1  error 1\n`,
    );
  });

  it('prints occasional lines elsewhere', () => {
    const stream = capture(false);
    let now = 0;
    const bar = new ProgressBar(stream, { lineMs: 10_000, now: () => now });
    bar.update({ total: 3, success: 0, invalid: 0, error: 0 });
    now = 5_000;
    bar.update({ total: 3, success: 1, invalid: 0, error: 0 });
    now = 12_000;
    bar.update({ total: 3, success: 2, invalid: 0, error: 0 });
    bar.finish({ total: 3, success: 2, invalid: 0, error: 0 });
    const lines = stream.text.trimEnd().split('\n');
    expect(lines).to.have.length(2);
    expect(lines[0]).to.match(/ 0\/3 {2}0% /);
    expect(lines[1]).to.match(/ 2\/3 {2}66% /);
  });
});
