import type { Job } from 'bullmq';
import type { BatchStore, Outcome } from '../shared/batch-store.js';
import type { MessageRecord, ReinstallJobData } from '../shared/reinstall-job.js';
import { countSegments } from '../shared/sms-encoding.js';
import {
  GatewayRejectedError,
  GatewayUnavailableError,
  type AcceptedSms,
  type SmsGateway,
} from './sms-gateway.js';

export interface ProcessorDeps {
  batches: BatchStore;
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
        await deps.batches.settle(batchId, index, result.outcome);
        return result.outcome.kind;
      }
    }
    await deps.batches.settle(batchId, index, { kind: 'success' });
    return 'success';
  };
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
  const attempt = { ...base, attempts: base.attempts + 1, updatedAt: new Date().toISOString() };

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

  await deps.batches.putMessage(batchId, index, step, {
    ...attempt,
    status: 'accepted',
    messageIds: accepted.messageIds,
  });
  return { done: true };
}

async function handleSendError(
  deps: ProcessorDeps,
  job: Job<ReinstallJobData>,
  step: 0 | 1,
  attempt: MessageRecord,
  error: unknown,
): Promise<StepResult> {
  const { batchId, index } = job.data;
  if (error instanceof GatewayRejectedError && !error.retryable) {
    const record: MessageRecord = {
      ...attempt,
      status: 'rejected',
      errorCode: error.status,
      errorText: error.errorText,
    };
    await deps.batches.putMessage(batchId, index, step, record);
    return { done: false, outcome: rejection(record) };
  }

  const record = transientFailure(attempt, error);
  await deps.batches.putMessage(batchId, index, step, record);
  if (isLastAttempt(job)) {
    return { done: false, outcome: { kind: 'error', reason: `retries_exhausted:${record.errorCode}` } };
  }
  throw error;
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
