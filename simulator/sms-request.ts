/**
 * Validation of a `POST /sms/json` request in the order Vonage's SMS API reports problems:
 * credentials first, then missing fields, then invalid values.
 */
import {
  STATUS_INVALID_CREDENTIALS,
  STATUS_INVALID_PARAMETERS,
  STATUS_MISSING_PARAMETERS,
} from './vonage-status.js';

/** Value of the SMS API `type` field that the simulator supports. */
export type SmsType = 'text' | 'unicode';

/** API key and secret that the simulator accepts. */
export interface GatewayCredentials {
  apiKey: string;
  apiSecret: string;
}

/** Fields of a valid SMS request. `to` is the destination reduced to digits. */
export interface SmsSubmission {
  from: string;
  to: string;
  text: string;
  type: SmsType;
  clientRef: string | null;
}

/** Result of {@link parseSmsRequest}: the submission, or the Vonage status that rejects it. */
export type ParsedSmsRequest =
  | { ok: true; submission: SmsSubmission }
  | { ok: false; status: string; errorText: string };

const PHONE_DIGITS = /^\+?\d+$/;
const SMS_TYPES: readonly string[] = ['text', 'unicode'];

/**
 * Validates credentials and fields of an SMS request.
 *
 * @param authorization - the `Authorization` header. HTTP Basic credentials there take
 *   precedence over `api_key` and `api_secret` body fields.
 * @param body - the parsed JSON or form body. Anything but an object counts as empty.
 */
export function parseSmsRequest(
  authorization: string | undefined,
  body: unknown,
  expected: GatewayCredentials,
): ParsedSmsRequest {
  const fields = isPlainObject(body) ? body : {};
  const received = readCredentials(authorization, fields);
  if (received.apiKey !== expected.apiKey || received.apiSecret !== expected.apiSecret) {
    return reject(STATUS_INVALID_CREDENTIALS, 'Bad Credentials');
  }

  for (const field of ['from', 'to', 'text']) {
    const value = fields[field];
    if (value === undefined || value === null || value === '') {
      return reject(STATUS_MISSING_PARAMETERS, `Missing ${field} param`);
    }
    if (typeof value !== 'string') {
      return reject(STATUS_INVALID_PARAMETERS, `Invalid ${field} param: must be a string`);
    }
  }
  return parseFieldValues(fields as Record<'from' | 'to' | 'text', string>);
}

function parseFieldValues(
  fields: Record<'from' | 'to' | 'text', string> & Record<string, unknown>,
): ParsedSmsRequest {
  if (!PHONE_DIGITS.test(fields.to)) {
    return reject(STATUS_INVALID_PARAMETERS,
      'Invalid to param: use digits with an optional leading +');
  }

  const type = fields.type ?? 'text';
  if (typeof type !== 'string' || !SMS_TYPES.includes(type)) {
    return reject(STATUS_INVALID_PARAMETERS, 'Invalid type param: use "text" or "unicode"');
  }

  const clientRef = fields['client-ref'] ?? null;
  if (clientRef !== null && typeof clientRef !== 'string') {
    return reject(STATUS_INVALID_PARAMETERS, 'Invalid client-ref param: must be a string');
  }

  const submission: SmsSubmission = {
    from: fields.from,
    to: fields.to.replace(/^\+/, ''),
    text: fields.text,
    type: type as SmsType,
    clientRef,
  };
  return { ok: true, submission };
}

function readCredentials(
  authorization: string | undefined,
  fields: Record<string, unknown>,
): { apiKey: unknown; apiSecret: unknown } {
  const basic = /^Basic\s+(\S+)$/i.exec(authorization ?? '');
  if (basic === null) {
    return { apiKey: fields.api_key, apiSecret: fields.api_secret };
  }
  const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
  const separator = decoded.indexOf(':');
  if (separator < 0) {
    return { apiKey: undefined, apiSecret: undefined };
  }
  return { apiKey: decoded.slice(0, separator), apiSecret: decoded.slice(separator + 1) };
}

function reject(status: string, errorText: string): ParsedSmsRequest {
  return { ok: false, status, errorText };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
