import type { Job } from 'bullmq';
import type { BatchStore, Outcome } from '../shared/batch-store.js';
import type { MessageRecord, ReinstallJobData } from '../shared/reinstall-job.js';
import type { SmsLog } from '../shared/sms-log.js';
import type { DeliveryMetrics } from '../shared/delivery-metrics.js';
import { countSegments } from '../shared/sms-encoding.js';
import {
  GatewayRejectedError,
  GatewayUnavailableError,
  type AcceptedSms,
  type SmsGateway,
} from './sms-gateway.js';

export interface ProcessorDeps {
  batches: BatchStore;
  smsLog: SmsLog;
  metrics: DeliveryMetrics;
  gateway: SmsGateway;
  /** Sender id or number shown on the phone. */
  sender: string;
}

/** A message that could not be sent this time but may be on a later attempt. */
type StepResult = { done: true } | { done: false; outcome: Outcome };

/**
 * Builds the BullMQ processor that sends one user's two reinstall SMS in
 * order. Each accepted message is recorded before the next step, so a job
 * run again (retried, or recovered after a crash) skips what the gateway
 * already accepted. Transient gateway failures are thrown for BullMQ to
 * retry with backoff, except on the last attempt, where the number settles
 * as an error.
 */
export function createReinstallProcessor(deps: ProcessorDeps) {
  return async (job: Job<ReinstallJobData>): Promise<string> => {
    const { batchId, index } = job.data;
    for (const step of [0, 1] as const) {
      const result = await sendStep(deps, job, step);
      if (!result.done) {
        await settleNumber(deps, batchId, index, result.outcome);
        return result.outcome.kind;
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
  const result = await deps.batches.settle(batchId, index, outcome);
  if (result.applied && result.batchSettled) {
    await deps.metrics.observeBatchSettled((Date.now() - Date.parse(result.createdAt)) / 1000);
  }
}

async function sendStep(deps: ProcessorDeps, job: Job<ReinstallJobData>, step: 0 | 1): Promise<StepResult> {
  const { batchId, index, to } = job.data;
  const previous = await deps.batches.getMessage(batchId, index, step);
  if (previous?.status === 'accepted') return { done: true };
  if (previous?.status === 'rejected') return { done: false, outcome: rejection(previous) };

  const message = job.data.messages[step];
  const base: MessageRecord = previous ?? {
    status: 'retrying',
    messageIds: [],
    encoding: message.encoding,
    segments: countSegments(message.text, message.encoding),
    attempts: 0,
    uncertainAttempts: 0,
    updatedAt: '',
  };
  // A record still marked `sending` means the process died during that send,
  // which the gateway may have accepted: this attempt risks a second copy.
  const interrupted = previous?.status === 'sending';
  const attempt: MessageRecord = {
    ...base,
    status: 'sending',
    attempts: base.attempts + 1,
    uncertainAttempts: base.uncertainAttempts + (interrupted ? 1 : 0),
    updatedAt: new Date().toISOString(),
  };
  await deps.batches.putMessage(batchId, index, step, attempt);

  let accepted: AcceptedSms;
  try {
    accepted = await deps.gateway.send({
      to,
      from: deps.sender,
      text: message.text,
      encoding: message.encoding,
      clientRef: `${batchId}:${index}:${step + 1}`,
    });
  } catch (error) {
    return handleSendError(deps, job, step, attempt, error);
  }

  const { errorCode: _code, errorText: _text, ...succeeded } = attempt;
  await saveAttempt(deps, job, step, { ...succeeded, status: 'accepted', messageIds: accepted.messageIds });
  return { done: true };
}

async function handleSendError(
  deps: ProcessorDeps,
  job: Job<ReinstallJobData>,
  step: 0 | 1,
  attempt: MessageRecord,
  error: unknown,
): Promise<StepResult> {
  if (error instanceof GatewayRejectedError && !error.retryable) {
    const record: MessageRecord = {
      ...attempt,
      status: 'rejected',
      errorCode: error.status,
      errorText: error.errorText,
    };
    await saveAttempt(deps, job, step, record);
    return { done: false, outcome: rejection(record) };
  }

  const record = transientFailure(attempt, error);
  await saveAttempt(deps, job, step, record);
  if (isLastAttempt(job)) {
    return { done: false, outcome: { kind: 'error', reason: `retries_exhausted:${record.errorCode}` } };
  }
  throw error;
}

/**
 * Records an attempt's result in the batch, which decides what a rerun of
 * the job skips, and then in the project's SMS log.
 */
async function saveAttempt(deps: ProcessorDeps, job: Job<ReinstallJobData>, step: 0 | 1, record: MessageRecord) {
  const { batchId, index, domain, to } = job.data;
  await deps.batches.putMessage(batchId, index, step, record);
  await deps.smsLog.record(domain, {
    time: record.updatedAt,
    batchId,
    index,
    step: step + 1,
    to,
    status: record.status,
    messageIds: record.messageIds,
    errorCode: record.errorCode ?? null,
    attempt: record.attempts,
  });
  const sent = record.status === 'accepted';
  await deps.metrics.countSms(sent ? 'sent' : 'failed', sent ? '0' : (record.errorCode ?? 'unknown'));
}

/**
 * Records a failure worth retrying. A timed-out request may still have been
 * accepted by the gateway, so the record is marked `uncertain`: the retry
 * that follows risks a second copy of this message on the phone.
 */
function transientFailure(attempt: MessageRecord, error: unknown): MessageRecord {
  if (error instanceof GatewayRejectedError) {
    return { ...attempt, status: 'retrying', errorCode: error.status, errorText: error.errorText };
  }
  const maybeAccepted = error instanceof GatewayUnavailableError && error.maybeAccepted;
  const httpStatus = error instanceof GatewayUnavailableError ? error.httpStatus : undefined;
  return {
    ...attempt,
    status: maybeAccepted ? 'uncertain' : 'retrying',
    uncertainAttempts: attempt.uncertainAttempts + (maybeAccepted ? 1 : 0),
    errorCode: maybeAccepted ? 'timeout' : httpStatus ? `http-${httpStatus}` : 'unreachable',
    errorText: error instanceof Error ? error.message : String(error),
  };
}

function rejection(record: MessageRecord): Outcome {
  return { kind: 'error', reason: `rejected:${record.errorCode ?? 'unknown'}` };
}

function isLastAttempt(job: Job): boolean {
  return job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
}
