import { CliError } from './cli-error.js';

/** A failed request to the reinstall API. `status` is null when no HTTP response arrived. */
export class ServiceError extends CliError {
  override name = 'ServiceError';

  constructor(
    message: string,
    readonly status: number | null,
  ) {
    super(message);
  }
}

/** Characters of a non-JSON error body shown in a message. */
const MAX_BODY_SHOWN = 200;

/**
 * A run of digits long enough to be a phone number, possibly written with separators. Field
 * messages of a 400 may echo a number from the request, and full numbers stay off the terminal.
 */
const PHONE_LIKE = /\+?\d(?:[\d\s().-]{5,}\d)/g;

/**
 * Builds the error for an unsuccessful HTTP response: what failed, the status, the service's
 * own message and what to do next.
 */
export async function failureFrom(
  response: Response,
  action: string,
  advice: (status: number) => string,
): Promise<ServiceError> {
  const detail = serviceMessage(await response.text(), response.status === 400);
  const shownDetail = detail === '' ? '' : `: ${detail}`;
  const failed = `${action} failed (HTTP ${response.status})${shownDetail}`;
  const message = `${failed}; ${advice(response.status)}`;
  return new ServiceError(message, response.status);
}

/**
 * Extracts the message of an error body: `{"error": "..."}`, or `{"<field>": "<message>"}`
 * joined as `field: message`, or else the start of the text.
 */
export function serviceMessage(text: string, mayEchoNumbers: boolean): string {
  const message = messageFromJson(text) ?? shortText(text);
  return mayEchoNumbers ? hideNumbers(message) : message;
}

function messageFromJson(text: string): string | null {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return null;
  const entries = Object.entries(body as Record<string, unknown>);
  if (entries.length === 1 && entries[0][0] === 'error') return String(entries[0][1]);
  return entries.map(([field, value]) => `${field}: ${String(value)}`).join('; ');
}

function shortText(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > MAX_BODY_SHOWN ? `${flat.slice(0, MAX_BODY_SHOWN)}...` : flat;
}

/** Replaces each phone-like run with its last four digits, as the service's logs show them. */
export function hideNumbers(text: string): string {
  return text.replace(PHONE_LIKE, (run) => `<number ending ${run.replace(/\D/g, '').slice(-4)}>`);
}
