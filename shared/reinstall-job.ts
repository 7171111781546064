import type { SmsEncoding } from './sms-encoding.js';

export const REINSTALL_QUEUE = 'reinstall-sms';

/**
 * Queue of large batches waiting to have their per-user jobs added. The API
 * responds to such a batch once it is recorded, and a worker adds its jobs.
 */
export const FAN_OUT_QUEUE = 'reinstall-fan-out';

/** One fan-out job: adds the per-user jobs of the batch whose plan is stored under its id. */
export interface FanOutJobData {
  batchId: string;
}

export interface ReinstallSms {
  text: string;
  encoding: SmsEncoding;
}

/** One job: both reinstall SMS for one user of one batch, sent in order. */
export interface ReinstallJobData {
  batchId: string;
  /** The user's position in the request, which keys their outcome. */
  index: number;
  domain: string;
  /** Normalised digits, as the gateway takes them. */
  to: string;
  /** The Play Store link message, then the install message. */
  messages: [ReinstallSms, ReinstallSms];
}

/** BullMQ job id of one user's job; `:` is not allowed in custom ids. */
export function reinstallJobId(batchId: string, index: number): string {
  return `${batchId}-${index}`;
}

/** Retry settings of a user's job, from the configuration. */
export interface RetryPolicy {
  sendAttempts: number;
  retryBaseDelayMs: number;
}

/**
 * Builds one user's job for BullMQ's `addBulk`. Its id is fixed by the
 * batch and the user's index, so adding it again while it is still in the
 * queue changes nothing.
 */
export function reinstallJob(data: ReinstallJobData, retry: RetryPolicy) {
  return {
    name: 'send-reinstall-sms',
    data,
    opts: {
      jobId: reinstallJobId(data.batchId, data.index),
      attempts: retry.sendAttempts,
      backoff: { type: 'exponential', delay: retry.retryBaseDelayMs, jitter: 0.5 },
      removeOnComplete: { count: 1000 },
      removeOnFail: { count: 5000 },
    },
  };
}

/** A message's state as the worker last recorded it. */
export interface MessageRecord {
  /**
   * `sending` while a send is under way; `retrying` after a failure worth
   * another attempt; `unknown` when a send may have reached the gateway
   * without an answer (it timed out, or its process died), which a delivery
   * receipt or a timeout settles instead of a blind resend.
   */
  status: 'sending' | 'accepted' | 'rejected' | 'retrying' | 'unknown';
  messageIds: string[];
  encoding: SmsEncoding;
  segments: number;
  attempts: number;
  /** Sends that may have reached the gateway without an answer: timeouts, and sends cut off by a crash. */
  uncertainAttempts: number;
  /** Sends the gateway throttled, which wait without using up the job's attempts. */
  throttles?: number;
  errorCode?: string;
  errorText?: string;
  /** When the outcome became unknown, for the timeout that settles it without a receipt. */
  unknownSince?: string;
  updatedAt: string;
}

/** Vonage delivery-receipt statuses after which no later receipt changes a message. */
export const FINAL_RECEIPT_STATUSES = ['delivered', 'expired', 'failed', 'rejected'] as const;

/** The latest delivery receipt of a message. */
export interface DeliveryReceipt {
  /** Vonage's status: accepted, buffered, delivered, expired, failed, rejected or unknown. */
  status: string;
  messageId: string;
  errorCode: string;
  receivedAt: string;
}

/** Parses a client-ref of the form `<batch id>:<index>:<step>` (steps 1 and 2). */
export function parseClientRef(clientRef: string): { batchId: string; index: number; step: 0 | 1 } | null {
  const match = /^([0-9a-f]{24}):(\d{1,7}):([12])$/.exec(clientRef);
  if (!match) return null;
  return { batchId: match[1], index: Number(match[2]), step: match[3] === '1' ? 0 : 1 };
}

export function clientRef(batchId: string, index: number, step: 0 | 1): string {
  return `${batchId}:${index}:${step + 1}`;
}
