import { DelayedError, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { BatchStore, Outcome, SettleResult } from '../shared/batch-store.js';
import type { DeliveryMetrics } from '../shared/delivery-metrics.js';
import type { GatewayFaultStore } from '../shared/gateway-fault.js';
import type { Logger } from '../shared/logger.js';
import type { ReinstallJobData } from '../shared/reinstall-job.js';
import type { SmsLog } from '../shared/sms-log.js';
import type { SendRateLimiter } from './send-rate-limiter.js';
import { sendStep } from './send-step.js';
import type { SmsGateway } from './sms-gateway.js';

export interface ProcessorDeps {
  /** The stores' connection, for the transactions that write to several stores at once. */
  redis: Redis;
  batches: BatchStore;
  smsLog: SmsLog;
  metrics: DeliveryMetrics;
  limiter: SendRateLimiter;
  faults: GatewayFaultStore;
  gateway: SmsGateway;
  logger: Logger;
  /** Sender id or number shown on the phone. */
  sender: string;
  /** First backoff after a throttled send, doubling with each further throttle. */
  retryBaseDelayMs: number;
  unknownOutcomeTimeoutMs: number;
  unknownRecheckMs: number;
  faultRecheckMs: number;
}

/**
 * Builds the BullMQ processor that sends one user's two reinstall SMS in
 * order. Each accepted message is recorded before the next step, so a job
 * run again (retried, or recovered after a crash) skips what the gateway
 * already accepted. A job that must wait (for a delivery receipt, or for an
 * account fault to clear) moves itself to the delayed set without using an
 * attempt; transient gateway failures are thrown for BullMQ to retry.
 */
export function createReinstallProcessor(deps: ProcessorDeps) {
  return async (job: Job<ReinstallJobData>, token?: string): Promise<string> => {
    const { batchId, index } = job.data;
    // Only this job writes its user's message records, so one read serves both steps.
    const records = await deps.batches.getUserMessages(batchId, index);
    for (const step of [0, 1] as const) {
      const result = await sendStep(deps, job, step, records[step]);
      if (result.kind === 'wait') {
        await job.moveToDelayed(Date.now() + result.ms, token);
        throw new DelayedError();
      }
      if (result.kind === 'settle') {
        await settleNumber(deps, batchId, index, result.outcome);
        return result.outcome.kind;
      }
      if (result.kind === 'settled') {
        await observeSettleTime(deps, result.settle);
        return 'success';
      }
    }
    await settleNumber(deps, batchId, index, { kind: 'success' });
    return 'success';
  };
}

/** Settles one number and, when that settles its batch, records how long the batch took. */
export async function settleNumber(
  deps: Pick<ProcessorDeps, 'batches' | 'metrics'>,
  batchId: string,
  index: number,
  outcome: Outcome,
): Promise<void> {
  await observeSettleTime(deps, await deps.batches.settle(batchId, index, outcome));
}

/** Records how long the batch took, when `result` settled its last number. */
async function observeSettleTime(deps: Pick<ProcessorDeps, 'metrics'>, result: SettleResult): Promise<void> {
  if (result.applied && result.batchSettled) {
    await deps.metrics.observeBatchSettled((Date.now() - Date.parse(result.createdAt)) / 1000);
  }
}
