/**
 * Naive: the same 1,000 users sent by bench/naive-sender.ts (two SDK calls per user, in
 * sequence, inside one request) and by the service, both against the simulator, which
 * responds to each SMS after 150 ms.
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { benchNumbers, freePort, startProcess, waitForHttp } from './bench-support.js';
import type { RunFigures, Scenario, ScenarioOptions } from './scenario.js';
import { submitAndSettle } from './service-client.js';
import { onInterrupt, startServiceStack, startSimulator, stopChild } from './service-stack.js';

const DELAY_MS = 150;

interface NaiveResult {
  sent: number;
  failed: number;
}

/**
 * Posts JSON with node:http rather than fetch, because fetch gives up after 300 s without
 * response headers (undici's default headersTimeout), and the naive sender responds only when
 * every user is done.
 */
function postJson(url: string, body: string, timeoutMs: number): Promise<NaiveResult> {
  return new Promise((resolve, reject) => {
    const headers = { 'content-type': 'application/json' };
    const request = http.request(url, { method: 'POST', headers });
    request.setTimeout(timeoutMs, () => {
      request.destroy(new Error(`no response within ${timeoutMs} ms`));
    });
    request.on('error', reject);
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        try {
          resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        } catch (error) {
          reject(error);
        }
      });
    });
    request.end(body);
  });
}

/** Sends `numbers` through one naive sender process; returns the seconds the request took. */
async function measureNaive(gatewayUrl: string, numbers: string[]): Promise<number> {
  const port = await freePort();
  const env = { ...process.env, PORT: String(port), VONAGE_REST_URL: gatewayUrl };
  const sender = startProcess('bench/naive-sender.ts', env);
  const forget = onInterrupt(() => stopChild(sender));
  try {
    await waitForHttp(`http://127.0.0.1:${port}/healthz`);
    const body = JSON.stringify({ users: numbers.map((phone_number) => ({ phone_number })) });
    // Each user needs two responses delayed by DELAY_MS; a second per user is ample.
    const timeoutMs = numbers.length * 1000 + 60_000;
    const started = performance.now();
    const result = await postJson(`http://127.0.0.1:${port}/send`, body, timeoutMs);
    const seconds = (performance.now() - started) / 1000;
    if (result.failed > 0) throw new Error(`the naive sender failed ${result.failed} users`);
    return seconds;
  } finally {
    forget();
    await stopChild(sender);
  }
}

async function measureService(gatewayUrl: string, numbers: string[], options: ScenarioOptions) {
  const nodeArgs = options.serviceNodeArgs;
  const stack = await startServiceStack({ gatewayUrl, workers: 1, nodeArgs });
  try {
    const batch = await submitAndSettle(stack, numbers, 10 * 60_000);
    const successes = batch.counts.success;
    if (successes !== numbers.length) {
      throw new Error(`service batch settled with ${successes} of ${numbers.length} successes`);
    }
    return batch.ms / 1000;
  } finally {
    await stack.stop();
  }
}

/**
 * Runs every naive request at once, then the service runs one after another. One naive request
 * waits about 300 s on the simulator's delay, so running them in turn would triple that. They
 * spend nearly all of it waiting, so they barely slow each other. The service runs alone.
 */
async function measureAll(options: ScenarioOptions): Promise<RunFigures[]> {
  const numbers = benchNumbers(options.quick ? 100 : 1_000);
  const simulator = await startSimulator({ delayMs: DELAY_MS });
  try {
    options.progress(`${options.runs} naive requests of ${numbers.length} users at once`);
    const naive = await Promise.all(
      Array.from({ length: options.runs }, () => measureNaive(simulator.url, numbers)),
    );
    const results: RunFigures[] = [];
    for (let run = 1; run <= options.runs; run++) {
      options.progress(`service run ${run}/${options.runs}`);
      const service = await measureService(simulator.url, numbers, options);
      results.push({ naive: naive[run - 1], service, speedup: naive[run - 1] / service });
    }
    return results;
  } finally {
    await simulator.close();
  }
}

export const naive: Scenario = {
  name: 'naive',
  description:
    '1,000 users (100 with --quick), simulator delayMs 150. Naive: bench/naive-sender.ts, one ' +
    'Express request sending both SMS per user in sequence; the runs\' naive requests go at ' +
    'the same time, each to its own process. Service: async submission until settled, one ' +
    'worker process, WORKER_CONCURRENCY 50, no send limit. Speed-up = naive s / service s per run.',
  target: 'service ≥ 10× faster than naive (median of per-run speed-ups)',
  figures: [
    { key: 'naive', label: 'naive sender', unit: 's', digits: 1 },
    { key: 'service', label: 'service', unit: 's', digits: 1 },
    { key: 'speedup', label: 'speed-up (naive / service)', unit: '×', digits: 1 },
  ],
  conditions: [{ figure: 'speedup', statistic: 'median', comparison: '>=', limit: 10 }],
  measure: measureAll,
};
