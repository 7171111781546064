import type { SmsEncoding } from '../shared/sms-encoding.js';

export interface OutgoingSms {
  to: string;
  from: string;
  text: string;
  encoding: SmsEncoding;
  /** Our reference for the message, echoed back in the gateway's receipts. */
  clientRef: string;
}

export interface AcceptedSms {
  /** One id per segment of a long message. */
  messageIds: string[];
}

/** Vonage SMS API statuses that a later attempt may get past. */
export const RETRYABLE_GATEWAY_STATUSES: ReadonlySet<string> = new Set(['1', '5']);

/**
 * The gateway answered with a non-zero Vonage status for the message.
 * `retryable` holds for throttling (1) and internal errors (5); any other
 * status rejects the message for good.
 */
export class GatewayRejectedError extends Error {
  override name = 'GatewayRejectedError';
  readonly code = 'gateway_rejected';
  readonly retryable: boolean;

  constructor(
    readonly status: string,
    readonly errorText: string,
  ) {
    super(`gateway rejected the message with status ${status} (${errorText})`);
    this.retryable = RETRYABLE_GATEWAY_STATUSES.has(status);
  }
}

/**
 * The gateway could not be reached or gave no usable answer: HTTP 429 or
 * 5xx, a refused connection or a timeout. All are retried. When
 * `maybeAccepted` is set the request reached the gateway and timed out, so
 * the gateway may have accepted the message even though no id came back.
 */
export class GatewayUnavailableError extends Error {
  override name = 'GatewayUnavailableError';
  readonly code = 'gateway_unavailable';

  constructor(
    message: string,
    readonly maybeAccepted: boolean,
    readonly httpStatus?: number,
  ) {
    super(message);
  }
}

/** Sends one SMS; resolves when the gateway accepted it, else throws one of the errors above. */
export interface SmsGateway {
  send(sms: OutgoingSms): Promise<AcceptedSms>;
}
