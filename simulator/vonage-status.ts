/**
 * Status codes of Vonage's SMS API and the JSON bodies that carry them. The codes are those of
 * the `SMSStatus` enum in `@vonage/sms` 1.21.0. The meanings of codes 1 to 15 follow
 * https://developer.vonage.com/messaging/sms/guides/troubleshooting-sms, and the later ones
 * are named after that enum.
 */

// Sample values in the shape Vonage sends. The simulator keeps no pricing.
/** `message-price` of responses and `price` of delivery receipts. */
export const MESSAGE_PRICE = '0.03330000';
/** Mobile country and network code (MCCMNC) given for every destination. */
export const NETWORK_CODE = '12345';

/** Status string of an accepted message. */
export const STATUS_SUCCESS = '0';
/** Status string of a request sent faster than the account limit. */
export const STATUS_THROTTLED = '1';
/** Status string of a request that lacks `from`, `to`, `text` or credentials. */
export const STATUS_MISSING_PARAMETERS = '2';
/** Status string of a request with an invalid parameter value. */
export const STATUS_INVALID_PARAMETERS = '3';
/** Status string of a request with a wrong or missing API key or secret. */
export const STATUS_INVALID_CREDENTIALS = '4';

// Meaning of each non-zero status, used as the default `error-text`.
const ERROR_TEXTS: Readonly<Record<string, string>> = {
  '1': 'Throttled',
  '2': 'Missing Parameters',
  '3': 'Invalid Parameters',
  '4': 'Invalid Credentials',
  '5': 'Internal Error',
  '6': 'Invalid Message',
  '7': 'Number Barred',
  '8': 'Partner Account Barred',
  '9': 'Partner Quota Violation',
  '10': 'Too Many Existing Binds',
  '11': 'Account Not Enabled For HTTP',
  '12': 'Message Too Long',
  '14': 'Invalid Signature',
  '15': 'Invalid Sender Address',
  '22': 'Invalid Network Code',
  '23': 'Invalid Callback Url',
  '29': 'Non-Whitelisted Destination',
  '32': 'Signature And API Secret Disallowed',
  '33': 'Number De-activated',
};

/** Non-zero status strings the simulator can send, in numeric order. */
export const ERROR_STATUSES: readonly string[] = Object.keys(ERROR_TEXTS);

/** Checks whether `value` is one of the non-zero Vonage SMS status strings. */
export function isErrorStatus(value: unknown): value is string {
  return typeof value === 'string' && Object.hasOwn(ERROR_TEXTS, value);
}

/** One entry of the `messages` array for an accepted segment. All values are strings. */
export interface AcceptedSegment {
  to: string;
  'message-id': string;
  status: typeof STATUS_SUCCESS;
  'remaining-balance': string;
  'message-price': string;
  network: string;
  'client-ref'?: string;
}

/** Body of a `POST /sms/json` response. */
export interface SmsApiResponse {
  'message-count': string;
  messages: Array<AcceptedSegment | { status: string; 'error-text': string }>;
}

/** Builds the body for an accepted message, one `messages` entry per segment. */
export function acceptedResponse(segments: AcceptedSegment[]): SmsApiResponse {
  return { 'message-count': String(segments.length), messages: segments };
}

/**
 * Builds the body for a rejected request: one `messages` entry with the status and an
 * `error-text`, which is `detail` when given and the status meaning otherwise.
 */
export function errorResponse(status: string, detail?: string): SmsApiResponse {
  const errorText = detail ?? ERROR_TEXTS[status] ?? `Status ${status}`;
  return { 'message-count': '1', messages: [{ status, 'error-text': errorText }] };
}
