/**
 * Throughput: a 10,000-user batch through the whole service, against a bare BullMQ worker that
 * makes the same two SDK calls per job. The service is an API process and one worker process
 * with WORKER_CONCURRENCY 50, given an async submission and then polled with `?wait=` until the
 * batch settles. Both sides run in the same run and against the same simulator.
 */
import { rmSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { addBareJobs, BARE_QUEUE, waitForBareJobs, waitForBareWorker } from './bare-worker.js';
import {
  benchEnvironment,
  benchNumbers,
  deletePrefix,
  REDIS_URL,
  startProcess,
} from './bench-support.js';
import { repeatRuns, type RunFigures, type Scenario, type ScenarioOptions } from './scenario.js';
import { submitAndSettle } from './service-client.js';
import { onInterrupt, startServiceStack, startSimulator, stopChild } from './service-stack.js';

const TIME_LIMIT_MS = 10 * 60_000;

async function measureService(gatewayUrl: string, users: number, options: ScenarioOptions) {
  const nodeArgs = options.serviceNodeArgs;
  const stack = await startServiceStack({ gatewayUrl, workers: 1, nodeArgs });
  try {
    const batch = await submitAndSettle(stack, benchNumbers(users), TIME_LIMIT_MS);
    if (batch.counts.success !== users) {
      throw new Error(`service batch settled with ${batch.counts.success} of ${users} successes`);
    }
    return (users / batch.ms) * 1000;
  } finally {
    await stack.stop();
  }
}

async function measureBare(gatewayUrl: string, users: number): Promise<number> {
  const environment = { VONAGE_REST_URL: gatewayUrl, WORKER_CONCURRENCY: '50' };
  const { prefix, dataDir, env } = benchEnvironment(environment);
  const queuePrefix = `${prefix}:bare`;
  const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const queue = new Queue<{ to: string }>(BARE_QUEUE, { connection, prefix: queuePrefix });
  const worker = startProcess('bench/bare-worker.ts', { ...env, BARE_QUEUE_PREFIX: queuePrefix });
  const cleanup = async () => {
    await stopChild(worker);
    await queue.close();
    connection.disconnect();
    await deletePrefix(prefix);
    rmSync(dataDir, { recursive: true, force: true });
  };
  const forget = onInterrupt(cleanup);
  try {
    await waitForBareWorker(queue, 30_000);
    const numbers = benchNumbers(users);
    const started = performance.now();
    await addBareJobs(queue, numbers);
    const failed = await waitForBareJobs(queue, users, started + TIME_LIMIT_MS);
    const ms = performance.now() - started;
    if (failed > 0) throw new Error(`${failed} of ${users} bare jobs failed`);
    return (users / ms) * 1000;
  } finally {
    forget();
    await cleanup();
  }
}

async function runOnce(run: number, options: ScenarioOptions): Promise<RunFigures> {
  const users = options.quick ? 1_000 : 10_000;
  const simulator = await startSimulator();
  try {
    // Alternating the order keeps a slow start or a warming Redis from always favouring one side.
    let service: number;
    let bare: number;
    if (run % 2 === 1) {
      service = await measureService(simulator.url, users, options);
      bare = await measureBare(simulator.url, users);
    } else {
      bare = await measureBare(simulator.url, users);
      service = await measureService(simulator.url, users, options);
    }
    return { service, bare, ratio: service / bare };
  } finally {
    await simulator.close();
  }
}

export const throughput: Scenario = {
  name: 'throughput',
  description:
    '10,000 users (1,000 with --quick) in one async submission, from the POST until the batch ' +
    'settles; API plus one worker process, WORKER_CONCURRENCY 50, no send limit. Baseline: ' +
    'bench/bare-worker.ts, a BullMQ worker making the same two SDK calls per job, from addBulk ' +
    'until every job completed.',
  target: 'service users/s ≥ 0.8 × bare users/s (median of per-run ratios)',
  figures: [
    { key: 'service', label: 'service users/s', unit: 'users/s', digits: 0 },
    { key: 'bare', label: 'bare worker users/s', unit: 'users/s', digits: 0 },
    { key: 'ratio', label: 'service / bare', unit: '×', digits: 2 },
  ],
  conditions: [{ figure: 'ratio', statistic: 'median', comparison: '>=', limit: 0.8 }],
  measure: (options) => repeatRuns(options, (run) => runOnce(run, options)),
};
