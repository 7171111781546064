/**
 * Delivery receipts (DLRs) in the JSON shape that Vonage's SMS API posts to a receipt webhook.
 * Field names and meanings follow
 * https://developer.vonage.com/messaging/sms/guides/delivery-receipts.
 */
import type { FinalStatus } from './receipt-settings.js';
import { formatMessageTimestamp, formatScts } from './vonage-timestamps.js';
import { MESSAGE_PRICE, NETWORK_CODE } from './vonage-status.js';

/** Receipt status: the intermediate `accepted`, then a final status. */
export type ReceiptStatus = 'accepted' | FinalStatus;

/**
 * `err-code` of each status, from Vonage's table of delivery-receipt error codes
 * (https://api.support.vonage.com/hc/en-us/articles/204014733): 0 Delivered, 1 Unknown,
 * 6 Anti-Spam Rejection, 8 Network Error.
 */
const ERROR_CODES: Readonly<Record<ReceiptStatus, string>> = {
  accepted: '0',
  delivered: '0',
  failed: '8',
  expired: '1',
  rejected: '6',
};

/** Body of one delivery receipt. All values are strings, as Vonage sends them. */
export interface DeliveryReceipt {
  /** Destination digits. */
  msisdn: string;
  /** The sender id or number that the message was sent from. */
  to: string;
  'network-code': string;
  messageId: string;
  price: string;
  status: ReceiptStatus;
  /** When the carrier reported the status, as `YYMMDDHHmm` in UTC; here the time of sending. */
  scts: string;
  'err-code': string;
  'api-key': string;
  'client-ref'?: string;
  /** When the receipt was sent, as `YYYY-MM-DD HH:mm:ss` in UTC. */
  'message-timestamp': string;
}

/** One accepted segment: what its receipts describe. */
export interface ReceiptSubject {
  /** Destination digits. */
  to: string;
  from: string;
  messageId: string;
  clientRef: string | null;
}

/** Builds the receipt that reports `status` for one segment at time `now`. */
export function deliveryReceipt(
  subject: ReceiptSubject,
  status: ReceiptStatus,
  apiKey: string,
  now: Date,
): DeliveryReceipt {
  return {
    msisdn: subject.to,
    to: subject.from,
    'network-code': NETWORK_CODE,
    messageId: subject.messageId,
    price: MESSAGE_PRICE,
    status,
    scts: formatScts(now),
    'err-code': ERROR_CODES[status],
    'api-key': apiKey,
    ...(subject.clientRef === null ? {} : { 'client-ref': subject.clientRef }),
    'message-timestamp': formatMessageTimestamp(now),
  };
}
