import type { Job } from 'bullmq';
import type { ChainableCommander } from 'ioredis';
import type { Outcome, SettleResult } from '../shared/batch-store.js';
import { ACCOUNT_FAULT_STATUSES } from '../shared/gateway-fault.js';
import { maskNumber } from '../shared/logger.js';
import { execMulti } from '../shared/redis-transaction.js';
import { clientRef, type MessageRecord, type ReinstallJobData } from '../shared/reinstall-job.js';
import { countSegments } from '../shared/sms-encoding.js';
import type { ProcessorDeps } from './send-reinstall-sms.processor.js';
import { GatewayRejectedError, GatewayUnavailableError, type AcceptedSms } from './sms-gateway.js';

/**
 * The decision of one message's step: go on to the next, settle the number,
 * or wait and run again. `settled` means that the last message was accepted
 * and the write that recorded it also settled the number as a success.
 */
export type StepResult =
  | { kind: 'done' }
  | { kind: 'settle'; outcome: Outcome }
  | { kind: 'settled'; settle: SettleResult }
  | { kind: 'wait'; ms: number };

const DONE: StepResult = { kind: 'done' };

/** The install message's step, the second and last of a user's two. */
const LAST_STEP = 1;

/**
 * Sends one of a user's two messages unless an earlier run already did.
 * `previous` is the message's record as this run of the job found it.
 * A message whose earlier send may have reached the gateway without a
 * response is not sent again blindly: its delivery receipt settles it, and
 * only when none comes within `unknownOutcomeTimeoutMs` is it sent again.
 */
export async function sendStep(
  deps: ProcessorDeps,
  job: Job<ReinstallJobData>,
  step: 0 | 1,
  previous: MessageRecord | null,
): Promise<StepResult> {
  const { batchId, index } = job.data;
  if (previous?.status === 'accepted') return DONE;
  if (previous?.status === 'rejected') return { kind: 'settle', outcome: rejection(previous) };
  if (previous?.status === 'sending' || previous?.status === 'unknown') {
    const resolved = await resolveUnknown(deps, job, step, previous);
    if (resolved) return resolved;
  }

  const fault = await deps.faults.current();
  if (fault && !(await deps.faults.claimProbe())) return { kind: 'wait', ms: deps.faultRecheckMs };

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
  const { unknownSince: _settled, ...fresh } = base;
  const attempt: MessageRecord = { ...fresh, status: 'sending', attempts: fresh.attempts + 1, updatedAt: now() };
  await deps.batches.putMessage(batchId, index, step, attempt);
  return send(deps, job, step, attempt);
}

async function send(deps: ProcessorDeps, job: Job<ReinstallJobData>, step: 0 | 1, attempt: MessageRecord) {
  const { batchId, index, to } = job.data;
  const message = job.data.messages[step];
  let accepted: AcceptedSms;
  try {
    await deps.limiter.acquire();
    accepted = await deps.gateway.send({
      to,
      from: deps.sender,
      text: message.text,
      encoding: message.encoding,
      clientRef: clientRef(batchId, index, step),
    });
  } catch (error) {
    return handleSendError(deps, job, step, attempt, error);
  }

  const { errorCode: _code, errorText: _text, ...succeeded } = attempt;
  return saveAccepted(deps, job, step, { ...succeeded, status: 'accepted', messageIds: accepted.messageIds });
}

/**
 * Decides about a message whose earlier send got no response: accepted when
 * a delivery receipt came for it, a wait while one may still come, and,
 * once `unknownOutcomeTimeoutMs` passes without one, `null`: the gateway
 * most likely never took the message, so it is sent again.
 */
async function resolveUnknown(
  deps: ProcessorDeps,
  job: Job<ReinstallJobData>,
  step: 0 | 1,
  previous: MessageRecord,
): Promise<StepResult | null> {
  const { batchId, index } = job.data;
  const receipt = await deps.batches.getReceipt(batchId, index, step);
  if (receipt) {
    const record: MessageRecord = { ...previous, status: 'accepted', messageIds: [receipt.messageId], updatedAt: now() };
    await saveAttempt(deps, job, step, record);
    return DONE;
  }

  // A record left `sending` belongs to a run that died mid-send.
  const unknownSince = previous.unknownSince ?? previous.updatedAt;
  if (Date.now() - Date.parse(unknownSince) >= deps.unknownOutcomeTimeoutMs) {
    deps.logger.warn({ jobId: job.id, step: step + 1 }, 'no delivery receipt for a send with unknown outcome; sending again');
    return null;
  }
  if (previous.status === 'sending') {
    const record: MessageRecord = {
      ...previous,
      status: 'unknown',
      uncertainAttempts: previous.uncertainAttempts + 1,
      errorCode: 'interrupted',
      unknownSince,
      updatedAt: now(),
    };
    await saveAttempt(deps, job, step, record);
  }
  return { kind: 'wait', ms: deps.unknownRecheckMs };
}

async function handleSendError(
  deps: ProcessorDeps,
  job: Job<ReinstallJobData>,
  step: 0 | 1,
  attempt: MessageRecord,
  error: unknown,
): Promise<StepResult> {
  if (error instanceof GatewayRejectedError && ACCOUNT_FAULT_STATUSES.has(error.status)) {
    await saveAttempt(deps, job, step, { ...attempt, status: 'retrying', errorCode: error.status, errorText: error.errorText });
    if (await deps.faults.raise(error.status, error.errorText)) {
      deps.logger.error({ status: error.status, err: error.errorText }, 'gateway account fault; sending paused until it clears');
    }
    return { kind: 'wait', ms: deps.faultRecheckMs };
  }
  if (isThrottled(error)) return throttled(deps, job, step, attempt, error as Error);
  if (error instanceof GatewayRejectedError && !error.retryable) {
    const record: MessageRecord = { ...attempt, status: 'rejected', errorCode: error.status, errorText: error.errorText };
    await saveAttempt(deps, job, step, record);
    return { kind: 'settle', outcome: rejection(record) };
  }
  if (error instanceof GatewayUnavailableError && error.maybeAccepted) {
    const record: MessageRecord = {
      ...attempt,
      status: 'unknown',
      uncertainAttempts: attempt.uncertainAttempts + 1,
      errorCode: 'timeout',
      errorText: error.message,
      unknownSince: now(),
    };
    await saveAttempt(deps, job, step, record);
    deps.logger.warn({ jobId: job.id, to: maskNumber(job.data.to), step: step + 1 }, 'send timed out; waiting for its delivery receipt');
    return { kind: 'wait', ms: deps.unknownRecheckMs };
  }

  const record = transientFailure(attempt, error);
  await saveAttempt(deps, job, step, record);
  if (isLastAttempt(job)) {
    return { kind: 'settle', outcome: { kind: 'error', reason: `retries_exhausted:${record.errorCode}` } };
  }
  throw error;
}

/** Records an attempt's result, as {@link queueAttempt} lists it, in one round trip. */
async function saveAttempt(deps: ProcessorDeps, job: Job<ReinstallJobData>, step: 0 | 1, record: MessageRecord) {
  const multi = deps.redis.multi();
  queueAttempt(deps, multi, job, step, record);
  await execMulti(multi);
}

/**
 * Records a message the gateway accepted and clears any account fault, in
 * one round trip. For the last message, the same transaction settles the
 * number as a success.
 */
async function saveAccepted(
  deps: ProcessorDeps,
  job: Job<ReinstallJobData>,
  step: 0 | 1,
  record: MessageRecord,
): Promise<StepResult> {
  const { batchId, index } = job.data;
  const multi = deps.redis.multi();
  queueAttempt(deps, multi, job, step, record);
  const readCleared = deps.faults.queueClear(multi);
  let readSettle: ((replies: unknown[]) => SettleResult) | undefined;
  if (step === LAST_STEP) readSettle = deps.batches.queueSettle(multi, batchId, index, { kind: 'success' });

  const replies = await execMulti(multi);
  if (readCleared(replies)) deps.logger.warn('gateway accepted a message again; sending resumes');
  if (!readSettle) return DONE;
  return { kind: 'settled', settle: readSettle(replies) };
}

/**
 * Queues an attempt's result on `multi`: the batch's message record, which
 * decides what a rerun of the job skips, the project's SMS log entry and
 * the delivery counter.
 */
function queueAttempt(
  deps: ProcessorDeps,
  multi: ChainableCommander,
  job: Job<ReinstallJobData>,
  step: 0 | 1,
  record: MessageRecord,
): void {
  const { batchId, index, domain, to } = job.data;
  deps.batches.queuePutMessage(multi, batchId, index, step, record);
  deps.smsLog.queueRecord(multi, domain, {
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
  deps.metrics.queueCountSms(multi, sent ? 'sent' : 'failed', sent ? '0' : (record.errorCode ?? 'unknown'));
}

/** Throttled sends wait this many times at most before the number settles as an error. */
const MAX_THROTTLED_WAITS = 100;

/** Vonage's status 1 (throttled) or HTTP 429: the gateway wants fewer sends, not fewer attempts. */
function isThrottled(error: unknown): boolean {
  if (error instanceof GatewayRejectedError) return error.status === '1';
  return error instanceof GatewayUnavailableError && error.httpStatus === 429;
}

/**
 * Holds a throttled message back with exponential backoff and jitter,
 * without using one of the job's attempts, which are kept for failures.
 */
async function throttled(deps: ProcessorDeps, job: Job<ReinstallJobData>, step: 0 | 1, attempt: MessageRecord, error: Error) {
  const throttles = (attempt.throttles ?? 0) + 1;
  const errorCode = error instanceof GatewayRejectedError ? error.status : 'http-429';
  await saveAttempt(deps, job, step, { ...attempt, status: 'retrying', throttles, errorCode, errorText: error.message });
  if (throttles >= MAX_THROTTLED_WAITS) {
    return { kind: 'settle', outcome: { kind: 'error', reason: 'throttled' } } as const;
  }
  const backoff = deps.retryBaseDelayMs * 2 ** Math.min(throttles - 1, 6);
  return { kind: 'wait', ms: Math.round(backoff * (0.5 + Math.random() / 2)) } as const;
}

/** Records a failure worth retrying: a gateway error, or no connection. */
function transientFailure(attempt: MessageRecord, error: unknown): MessageRecord {
  if (error instanceof GatewayRejectedError) {
    return { ...attempt, status: 'retrying', errorCode: error.status, errorText: error.errorText };
  }
  const httpStatus = error instanceof GatewayUnavailableError ? error.httpStatus : undefined;
  return {
    ...attempt,
    status: 'retrying',
    errorCode: httpStatus ? `http-${httpStatus}` : 'unreachable',
    errorText: error instanceof Error ? error.message : String(error),
  };
}

function rejection(record: MessageRecord): Outcome {
  return { kind: 'error', reason: `rejected:${record.errorCode ?? 'unknown'}` };
}

function isLastAttempt(job: Job): boolean {
  return job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
}

function now(): string {
  return new Date().toISOString();
}
