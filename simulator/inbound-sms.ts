/**
 * Inbound SMS in the JSON shape that Vonage's SMS API posts to an inbound webhook, as described
 * at https://developer.vonage.com/messaging/sms/guides/inbound-sms.
 */
import { randomUUID } from 'node:crypto';

import { formatMessageTimestamp } from './vonage-timestamps.js';

/** Body of one inbound SMS. All values are strings. */
export interface InboundSms {
  /** Digits of the phone that sent the message. */
  msisdn: string;
  /** The number the phone sent it to. */
  to: string;
  messageId: string;
  text: string;
  type: 'text';
  /** First word of `text`, upper-cased; empty for a blank text. */
  keyword: string;
  /** When the message was sent to the webhook, as `YYYY-MM-DD HH:mm:ss` in UTC. */
  'message-timestamp': string;
  'api-key': string;
}

/** Builds the inbound SMS that the phone `from` sent to `to`. */
export function inboundSms(
  from: string,
  to: string,
  text: string,
  apiKey: string,
  now: Date,
): InboundSms {
  const [firstWord = ''] = text.trim().split(/\s+/);
  return {
    msisdn: from,
    to,
    messageId: randomUUID(),
    text,
    type: 'text',
    keyword: firstWord.toUpperCase(),
    'message-timestamp': formatMessageTimestamp(now),
    'api-key': apiKey,
  };
}
