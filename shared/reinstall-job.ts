import type { SmsEncoding } from './sms-encoding.js';

export const REINSTALL_QUEUE = 'reinstall-sms';

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

/** What a message was when the worker last recorded it. */
export interface MessageRecord {
  /**
   * `sending` while a send is under way, `retrying` after a transient
   * failure, `uncertain` when that failure was a timeout.
   */
  status: 'sending' | 'accepted' | 'rejected' | 'retrying' | 'uncertain';
  messageIds: string[];
  encoding: SmsEncoding;
  segments: number;
  attempts: number;
  /** Sends that may have reached the gateway without an answer: timeouts, and sends cut off by a crash. */
  uncertainAttempts: number;
  errorCode?: string;
  errorText?: string;
  updatedAt: string;
}
