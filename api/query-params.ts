import { HttpError } from './http-error.js';

/** Reads an optional whole-number query parameter; a value outside min..max is a 400 on that name. */
export function readInteger(value: unknown, name: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const text = String(value);
  const number = /^\d{1,9}$/.test(text) ? Number(text) : NaN;
  if (!(number >= min && number <= max)) {
    throw HttpError.fields({ [name]: `${name} must be a whole number from ${min} to ${max}; got ${JSON.stringify(text)}` });
  }
  return number;
}

/** Reads an optional flag given as `true`/`1` or `false`/`0`. */
export function readBoolean(value: unknown, name: string): boolean {
  if (value === undefined) return false;
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw HttpError.fields({ [name]: `${name} must be true or false (or 1 or 0); got ${JSON.stringify(String(value))}` });
}
