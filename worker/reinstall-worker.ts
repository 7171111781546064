import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { maskNumber, throttledErrorLog, type Logger } from '../shared/logger.js';
import type { RedisKeys } from '../shared/redis-keys.js';
import { REINSTALL_QUEUE, type ReinstallJobData } from '../shared/reinstall-job.js';
import { createReinstallProcessor, settleNumber, type ProcessorDeps } from './send-reinstall-sms.processor.js';
import { GatewayUnavailableError } from './sms-gateway.js';

export interface ReinstallWorkerOptions extends ProcessorDeps {
  connection: Redis;
  keys: RedisKeys;
  concurrency: number;
  /** BullMQ lock duration: a job whose worker stops renewing its lock for this long is recovered. */
  lockDurationMs: number;
}

/** Starts a BullMQ worker on the reinstall queue, with lifecycle logging off its events. */
export function startReinstallWorker(options: ReinstallWorkerOptions): Worker<ReinstallJobData> {
  const processor = createReinstallProcessor(options);
  const worker = new Worker<ReinstallJobData, string>(REINSTALL_QUEUE, processor, {
    connection: options.connection,
    prefix: options.keys.bullPrefix,
    concurrency: options.concurrency,
    lockDuration: options.lockDurationMs,
    stalledInterval: options.lockDurationMs,
    // A job that stalls repeatedly (its worker keeps dying) still has its
    // number settled by the failed handler below.
    maxStalledCount: 3,
  });
  attachLogging(worker, options);
  return worker;
}

/** Log fields of a job; `attempt` counts from 1 and is the attempt that just ran. */
function jobContext(job: Job<ReinstallJobData>, attempt: number) {
  return { jobId: job.id, batchId: job.data.batchId, to: maskNumber(job.data.to), attempt };
}

function attachLogging(worker: Worker<ReinstallJobData, string>, options: ReinstallWorkerOptions): void {
  const { logger } = options;
  worker.on('completed', (job, outcome) => {
    logger.debug({ ...jobContext(job, job.attemptsMade + 1), outcome }, 'reinstall job completed');
  });
  worker.on('failed', (job, error) => {
    if (!job) return;
    const attempts = job.opts.attempts ?? 1;
    // BullMQ has already counted this failure in attemptsMade.
    const context = jobContext(job, job.attemptsMade);
    if (job.attemptsMade < attempts) {
      const maybeAccepted = error instanceof GatewayUnavailableError && error.maybeAccepted;
      const message = maybeAccepted
        ? 'send timed out and the gateway may have accepted it; the retry may deliver a second copy'
        : 'reinstall job failed, will retry';
      logger.warn({ ...context, err: error.message, maybeAccepted }, message);
      return;
    }
    // The processor settles numbers itself; this covers jobs that failed
    // outside it, such as one that stalled too often.
    logger.error({ ...context, err: error.message }, 'reinstall job failed for good');
    settleNumber(options, job.data.batchId, job.data.index, { kind: 'error', reason: 'job_failed' })
      .catch((settleError: Error) => {
        logger.error({ ...context, err: settleError.message }, 'could not settle failed job');
      });
  });
  worker.on('stalled', (jobId) => logger.warn({ jobId }, 'reinstall job stalled; it will be retried'));
  worker.on('error', throttledErrorLog(logger, 'reinstall worker error'));
}
