/**
 * Checks shared by the simulator's settings parsers. Each failure raises
 * InvalidFaultSettingsError with a message that names the field and the fix.
 */

/** Error for fault settings that fail validation. The message names the field and the fix. */
export class InvalidFaultSettingsError extends Error {
  override name = 'InvalidFaultSettingsError';

  /**
   * @param field - the top-level setting that failed, or `body` when the input is no object.
   *   Unlike the message, it never contains a phone number, so it is safe to log.
   */
  constructor(readonly field: string, message: string) {
    super(message);
  }
}

// setTimeout fires at once for delays above 2^31 - 1 ms, so the cap stays well below that.
const MAX_DELAY_MS = 600_000;
const PHONE_DIGITS = /^\+?\d+$/;

export function parseShare(field: string, value: unknown): number {
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) {
    throw new InvalidFaultSettingsError(field,
      `${field} must be a number from 0 to 1; got ${describeValue(value)}`,
    );
  }
  return value;
}

export function parseMilliseconds(field: string, value: unknown): number {
  if (!Number.isInteger(value) || (value as number) < 0 || (value as number) > MAX_DELAY_MS) {
    throw new InvalidFaultSettingsError(field,
      `${field} must be a whole number of milliseconds from 0 to ${MAX_DELAY_MS}; ` +
        `got ${describeValue(value)}`,
    );
  }
  return value as number;
}

// Checks a map keyed by phone number and returns [digits, value, original key] triples.
export function parseNumberMap(
  field: string,
  value: unknown,
  valueHint: string,
): Array<[string, unknown, string]> {
  if (!isPlainObject(value)) {
    throw new InvalidFaultSettingsError(field,
      `${field} must be an object mapping phone numbers to ${valueHint}; ` +
        `got ${describeValue(value)}`,
    );
  }
  return Object.entries(value).map(([key, entry]) => {
    if (!PHONE_DIGITS.test(key)) {
      throw new InvalidFaultSettingsError(field,
        `${field} key "${key}" must be a phone number of digits with an optional leading +`,
      );
    }
    return [key.replace(/^\+/, ''), entry, key];
  });
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function describeValue(value: unknown): string {
  if (Array.isArray(value)) {
    return 'an array';
  }
  if (typeof value === 'number' || value === undefined) {
    return String(value);
  }
  const text = JSON.stringify(value) ?? typeof value;
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
