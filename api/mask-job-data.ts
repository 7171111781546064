import { maskNumber } from '../shared/logger.js';

/** Job data fields that contain a phone number whatever its shape. */
const NUMBER_FIELDS = new Set(['to']);

/** Digits with the separators people write numbers with, and an optional leading `+`. */
const PHONE_SHAPE = /^\+?[\d\s().-]+$/;

/**
 * Checks whether a value has a phone number's shape: 7 to 15 digits (E.164 allows at
 * most 15). A job's `index` stays below 1,000,000, the upper bound of
 * MAX_USERS_PER_REQUEST, so it is never taken for a number.
 */
function looksLikePhoneNumber(value: string | number): boolean {
  if (typeof value === 'number' && !Number.isSafeInteger(value)) return false;
  const text = String(value);
  if (!PHONE_SHAPE.test(text)) return false;
  const digits = text.replace(/\D/g, '').length;
  return digits >= 7 && digits <= 15;
}

/**
 * Copies job data with every phone number masked to its last four digits:
 * the value of each `to` field, and any other string or number shaped like
 * a phone number, at any depth. Other values are copied unchanged.
 */
export function maskJobData(value: unknown, field?: string): unknown {
  if (Array.isArray(value)) return value.map((item) => maskJobData(item, field));
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).map(([key, item]) => [key, maskJobData(item, key)]);
    return Object.fromEntries(entries);
  }
  if (typeof value !== 'string' && typeof value !== 'number') return value;
  const isNumberField = field !== undefined && NUMBER_FIELDS.has(field);
  return isNumberField || looksLikePhoneNumber(value) ? maskNumber(String(value)) : value;
}
