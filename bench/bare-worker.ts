/**
 * Baseline of the throughput scenario: a BullMQ worker that does nothing per job but the two
 * `vonage.sms.send` calls the service makes for one user, with no batch records, SMS log or
 * retries. Runs as its own process, like the service's worker:
 *
 *   BARE_QUEUE_PREFIX=... VONAGE_REST_URL=... WORKER_CONCURRENCY=50 \
 *     node --import tsx bench/bare-worker.ts
 *
 * The bench process adds the jobs with {@link addBareJobs} and waits with {@link waitForBareJobs}.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { createSimulatorVonage, sendBothMessages } from './baseline-sdk.js';
import { REDIS_URL } from './bench-support.js';

export const BARE_QUEUE = 'bench-bare-sms';

const POLL_INTERVAL_MS = 50;

interface BareJob {
  to: string;
}

/** Adds one job per number in a single addBulk call. */
export async function addBareJobs(queue: Queue<BareJob>, numbers: readonly string[]) {
  await queue.addBulk(numbers.map((to) => ({ name: 'send', data: { to } })));
}

/**
 * Waits until `count` jobs have completed or failed, polling the queue's counts, and returns the
 * number that failed.
 *
 * @throws Error when `deadline` (a `performance.now()` time) passes first
 */
export async function waitForBareJobs(queue: Queue<BareJob>, count: number, deadline: number) {
  while (performance.now() < deadline) {
    const counts = await queue.getJobCounts('completed', 'failed');
    if (counts.completed + counts.failed >= count) return counts.failed;
    await sleep(POLL_INTERVAL_MS);
  }
  throw new Error(`the bare worker did not finish ${count} jobs within the time limit`);
}

/** Waits until a worker is connected to the bare queue. */
export async function waitForBareWorker(queue: Queue<BareJob>, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if ((await queue.getWorkersCount()) > 0) return;
    await sleep(100);
  }
  throw new Error(`the bare worker did not connect within ${timeoutMs} ms; see its output above`);
}

function startBareWorker(): Worker<BareJob> {
  const prefix = process.env.BARE_QUEUE_PREFIX;
  const restHost = process.env.VONAGE_REST_URL;
  if (!prefix || !restHost) throw new Error('set BARE_QUEUE_PREFIX and VONAGE_REST_URL');
  const concurrency = Number(process.env.WORKER_CONCURRENCY ?? '50');

  const vonage = createSimulatorVonage(restHost);
  const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  return new Worker<BareJob>(
    BARE_QUEUE,
    (job) => sendBothMessages(vonage, job.data.to),
    { connection, prefix, concurrency },
  );
}

if (process.argv[1]?.endsWith('bare-worker.ts')) {
  const worker = startBareWorker();
  worker.on('error', (error) => process.stderr.write(`bare worker error: ${error.message}\n`));
  const stop = () => {
    worker.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
