import { expect } from 'chai';
import http from 'node:http';
import { randomInt } from 'node:crypto';
import { FuzzRequests, type FuzzRequest } from './support/fuzz-requests.js';
import { validNumbers } from './support/phone-numbers.js';
import { SeededRandom } from './support/seeded-random.js';
import { ServiceHarness } from './support/service-harness.js';
import { rememberNumbers } from './support/test-log.js';

/** Set FUZZ_SEED to repeat a run; each run otherwise draws a new seed and prints it on failure. */
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : randomInt(2 ** 32);
const CASES = Number(process.env.FUZZ_CASES ?? 3000);
const CONCURRENCY = 8;
const TIME_BUDGET_MS = 60_000;
const MAX_BODY_BYTES = 65_536;
const MAX_USERS = 20;
const MAX_REPORTED_FAILURES = 20;

const DOMAIN = 'fuzz';
const APP = 'app1';

interface FuzzResponse {
  status: number;
  contentType: string;
  text: string;
}

/** Sends the request exactly as generated, path bytes included, which fetch would normalise. */
function send(agent: http.Agent, port: number, request: FuzzRequest): Promise<FuzzResponse> {
  const { method, path, headers } = request;
  return new Promise((resolve, reject) => {
    const outgoing = http.request(
      { agent, host: '127.0.0.1', port, method, path, headers },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            contentType: response.headers['content-type'] ?? '',
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        response.on('error', reject);
      },
    );
    outgoing.setTimeout(20_000, () => outgoing.destroy(new Error('no response within 20 s')));
    outgoing.on('error', reject);
    outgoing.end(request.body);
  });
}

/** Lists what is wrong with one response; empty when it is acceptable. */
function problemsOf(request: FuzzRequest, response: FuzzResponse, key: string): string[] {
  const problems: string[] = [];
  if (response.status >= 500) problems.push(`status ${response.status}`);
  const plainTextAllowed = request.target === 'app-info' && response.status === 200;
  if (!plainTextAllowed) {
    if (!/^application\/json/.test(response.contentType)) {
      problems.push(`content type "${response.contentType}"`);
    }
    try {
      JSON.parse(response.text);
    } catch {
      problems.push('a body that is not JSON');
    }
  }
  if (response.text.includes(key)) problems.push('the API key in the body');
  return problems;
}

/** Counts the numbers that an accepted reinstall response lists as sent or pending. */
function acceptedNumbers(response: FuzzResponse): number {
  type Lists = { success_numbers?: unknown[]; pending_numbers?: unknown[] };
  const body = JSON.parse(response.text) as Lists;
  return (body.success_numbers?.length ?? 0) + (body.pending_numbers?.length ?? 0);
}

function describeRequest(index: number, request: FuzzRequest): string {
  const path = request.path.length > 120 ? `${request.path.slice(0, 120)}...` : request.path;
  return `#${index} ${request.method} ${path} (${request.target}, ${request.defect})`;
}

describe('fuzz', () => {
  const harness = new ServiceHarness({
    withoutWorker: true,
    env: { MAX_BODY_BYTES: String(MAX_BODY_BYTES), MAX_USERS_PER_REQUEST: String(MAX_USERS) },
  });
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  let auth: string;
  let key: string;
  const numbers = validNumbers(3, 8600);

  before(async () => {
    await harness.start();
    auth = await harness.addProject(DOMAIN, APP);
    key = auth.slice(auth.lastIndexOf(':') + 1);
    rememberNumbers(numbers);
  });

  after(async () => {
    agent.destroy();
    await harness.stop();
  });

  it(`returns JSON below 500 for ${CASES} requests`, async function () {
    this.timeout(TIME_BUDGET_MS + 60_000);
    const requests = new FuzzRequests(new SeededRandom(SEED), {
      domain: DOMAIN,
      appId: APP,
      auth,
      validNumbers: numbers,
      maxUsers: MAX_USERS,
      maxBodyBytes: MAX_BODY_BYTES,
    });
    const failures: string[] = [];
    let failureCount = 0;
    let sent = 0;
    let expectedJobs = 0;
    const deadline = Date.now() + TIME_BUDGET_MS;

    const worker = async () => {
      while (sent < CASES && Date.now() < deadline) {
        const index = sent++;
        const request = requests.next();
        let problems: string[];
        try {
          const response = await send(agent, harness.api.port, request);
          problems = problemsOf(request, response, key);
          if (request.target === 'reinstall' && response.status < 300 && problems.length === 0) {
            expectedJobs += acceptedNumbers(response);
          }
        } catch (error) {
          problems = [`no response: ${(error as Error).message}`];
        }
        if (problems.length === 0) continue;
        failureCount++;
        if (failures.length < MAX_REPORTED_FAILURES) {
          failures.push(`${describeRequest(index, request)}: ${problems.join(', ')}`);
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));

    const repeat = `repeat with FUZZ_SEED=${SEED}`;
    const summary = `${failureCount} of ${sent} responses failed; ${repeat}`;
    expect(failures, `${summary}:\n${failures.join('\n')}`).to.deep.equal([]);
    expect(sent, `only ${sent} requests fit in ${TIME_BUDGET_MS} ms; ${repeat}`).to.equal(CASES);

    const health = await fetch(`${harness.baseUrl}/healthz`);
    expect(health.status, `the API stopped answering; ${repeat}`).to.equal(200);
    const counts = await harness.api.services.queue.getJobCounts();
    const jobs = Object.values(counts).reduce((sum, count) => sum + count, 0);
    expect(jobs, `jobs enqueued: ${JSON.stringify(counts)}; ${repeat}`).to.equal(expectedJobs);
    expect(({} as Record<string, unknown>).app_id, repeat).to.equal(undefined);
  });
});
