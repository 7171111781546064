import { Worker, type Job, type Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { BatchPlanStore } from '../shared/batch-plan.js';
import type { BatchStore } from '../shared/batch-store.js';
import { throttledErrorLog, type Logger } from '../shared/logger.js';
import type { RedisKeys } from '../shared/redis-keys.js';
import {
  FAN_OUT_QUEUE,
  reinstallJob,
  type FanOutJobData,
  type ReinstallJobData,
  type RetryPolicy,
} from '../shared/reinstall-job.js';

export interface FanOutDeps {
  plans: BatchPlanStore;
  batches: BatchStore;
  queue: Queue<ReinstallJobData>;
  retry: RetryPolicy;
  logger: Logger;
}

export interface FanOutWorkerOptions extends FanOutDeps {
  connection: Redis;
  keys: RedisKeys;
  lockDurationMs: number;
}

/**
 * Jobs added per round trip. Each round trip is one MULTI that Redis runs
 * without serving other clients, so it stays small enough not to hold up
 * the API's requests.
 */
const CHUNK = 100;

/**
 * Adds a large batch's per-user jobs to the reinstall queue in chunks,
 * recording how far it got as the job's progress. A run that follows a
 * crash starts from the last recorded chunk, and a job added twice keeps
 * one id. Returns how many jobs this run added.
 */
export function createFanOutProcessor(deps: FanOutDeps) {
  return async (job: Job<FanOutJobData>): Promise<number> => {
    const { batchId } = job.data;
    const jobs = await deps.plans.load(batchId);
    if (!jobs) return 0;
    const start = recordedProgress(job);
    for (let next = start; next < jobs.length; next += CHUNK) {
      const chunk = jobs.slice(next, next + CHUNK);
      await deps.queue.addBulk(chunk.map((data) => reinstallJob(data, deps.retry)));
      await job.updateProgress(Math.min(next + CHUNK, jobs.length));
    }
    await deps.plans.delete(batchId);
    return jobs.length - start;
  };
}

/**
 * Settles as errors the numbers a fan-out never added, once its job failed
 * for good, so that the batch still settles. Numbers whose jobs were added
 * are left to those jobs.
 * NOTE: a chunk added after the last recorded progress counts as not added.
 * Its numbers settle as errors even though their jobs may still send.
 */
export async function settleUnqueued(deps: FanOutDeps, job: Job<FanOutJobData>): Promise<void> {
  const { batchId } = job.data;
  const jobs = await deps.plans.load(batchId);
  if (!jobs) return;
  for (const data of jobs.slice(recordedProgress(job))) {
    await deps.batches.settle(batchId, data.index, { kind: 'error', reason: 'enqueue_failed' });
  }
  await deps.plans.delete(batchId);
}

/** Returns how many of the plan's jobs an earlier run recorded as added. */
function recordedProgress(job: Job<FanOutJobData>): number {
  return typeof job.progress === 'number' ? job.progress : 0;
}

/** Starts the worker that fans large batches out into per-user jobs, one batch at a time. */
export function startFanOutWorker(options: FanOutWorkerOptions): Worker<FanOutJobData> {
  const worker = new Worker<FanOutJobData, number>(FAN_OUT_QUEUE, createFanOutProcessor(options), {
    connection: options.connection,
    prefix: options.keys.bullPrefix,
    concurrency: 1,
    lockDuration: options.lockDurationMs,
    stalledInterval: options.lockDurationMs,
  });
  const { logger } = options;
  worker.on('completed', (job, added) => {
    logger.debug({ batchId: job.data.batchId, added }, 'batch fanned out into jobs');
  });
  worker.on('failed', (job, error) => {
    if (!job) return;
    const context = { batchId: job.data.batchId, attempt: job.attemptsMade, err: error.message };
    if (job.attemptsMade < (job.opts.attempts ?? 1)) {
      logger.warn(context, 'fanning out a batch failed, will retry');
      return;
    }
    logger.error(context, 'fanning out a batch failed for good; settling its unqueued numbers as errors');
    settleUnqueued(options, job).catch((settleError: Error) => {
      logger.error({ batchId: job.data.batchId, err: settleError.message }, 'settling unqueued numbers failed');
    });
  });
  worker.on('error', throttledErrorLog(logger, 'fan-out worker error'));
  return worker;
}
