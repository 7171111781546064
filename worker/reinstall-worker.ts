import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { BatchStore } from '../shared/batch-store.js';
import { maskNumber, type Logger } from '../shared/logger.js';
import type { RedisKeys } from '../shared/redis-keys.js';
import { REINSTALL_QUEUE, type ReinstallJobData } from '../shared/reinstall-job.js';
import { createReinstallProcessor } from './send-reinstall-sms.processor.js';
import { GatewayUnavailableError, type SmsGateway } from './sms-gateway.js';

export interface ReinstallWorkerOptions {
  connection: Redis;
  keys: RedisKeys;
  batches: BatchStore;
  gateway: SmsGateway;
  sender: string;
  concurrency: number;
  logger: Logger;
}

/** Starts a BullMQ worker on the reinstall queue, with lifecycle logging off its events. */
export function startReinstallWorker(options: ReinstallWorkerOptions): Worker<ReinstallJobData> {
  const processor = createReinstallProcessor(options);
  const worker = new Worker<ReinstallJobData, string>(REINSTALL_QUEUE, processor, {
    connection: options.connection,
    prefix: options.keys.bullPrefix,
    concurrency: options.concurrency,
    // A job that stalls repeatedly (its worker keeps dying) still has its
    // number settled by the failed handler below.
    maxStalledCount: 3,
  });
  attachLogging(worker, options);
  return worker;
}

function jobContext(job: Job<ReinstallJobData>) {
  return {
    jobId: job.id,
    batchId: job.data.batchId,
    to: maskNumber(job.data.to),
    attempt: job.attemptsMade + 1,
  };
}

function attachLogging(worker: Worker<ReinstallJobData, string>, options: ReinstallWorkerOptions): void {
  const { logger, batches } = options;
  worker.on('completed', (job, outcome) => {
    logger.debug({ ...jobContext(job), outcome }, 'reinstall job completed');
  });
  worker.on('failed', (job, error) => {
    if (!job) return;
    const attempts = job.opts.attempts ?? 1;
    if (job.attemptsMade < attempts) {
      const maybeAccepted = error instanceof GatewayUnavailableError && error.maybeAccepted;
      const message = maybeAccepted
        ? 'send timed out and the gateway may have accepted it; the retry may deliver a second copy'
        : 'reinstall job failed, will retry';
      logger.warn({ ...jobContext(job), err: error.message, maybeAccepted }, message);
      return;
    }
    // The processor settles numbers itself; this covers jobs that failed
    // outside it, such as one that stalled too often.
    logger.error({ ...jobContext(job), err: error.message }, 'reinstall job failed for good');
    batches
      .settle(job.data.batchId, job.data.index, { kind: 'error', reason: 'job_failed' })
      .catch((settleError: Error) => {
        logger.error({ ...jobContext(job), err: settleError.message }, 'could not settle failed job');
      });
  });
  worker.on('stalled', (jobId) => logger.warn({ jobId }, 'reinstall job stalled; it will be retried'));
  worker.on('error', (error) => logger.error({ err: error.message }, 'reinstall worker error'));
}
