import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

/** Characters that people write inside numbers and that carry no digits. */
const SEPARATORS = /[\s\-.()]/g;

export type NumberCheck =
  | { valid: true; digits: string }
  | { valid: false; normalised: string; reason: string };

/**
 * Normalises a number as written by a client: drops spaces, `-`, `.`, `(`,
 * `)` and a leading `+`, or a leading `00` international call prefix.
 * The result is what duplicates are compared on and what is sent to the gateway.
 */
export function normaliseNumber(raw: string): string {
  const compact = raw.replace(SEPARATORS, '');
  if (compact.startsWith('+')) return compact.slice(1);
  if (compact.startsWith('00')) return compact.slice(2);
  return compact;
}

/**
 * Checks that a number, read as `+<digits>`, is a valid number for its
 * country by libphonenumber-js's full metadata.
 */
export function checkNumber(raw: string): NumberCheck {
  const normalised = normaliseNumber(raw);
  if (normalised === '') {
    return { valid: false, normalised, reason: 'is empty' };
  }
  if (!/^\d+$/.test(normalised)) {
    return { valid: false, normalised, reason: 'contains characters other than digits' };
  }
  // E.164 allows at most 15 digits; longer strings are never valid and are
  // rejected before the parser spends time on them.
  if (normalised.length > 15) {
    return { valid: false, normalised, reason: 'has more than 15 digits' };
  }
  const parsed = parsePhoneNumberFromString(`+${normalised}`);
  if (!parsed || !parsed.isValid()) {
    return { valid: false, normalised, reason: 'is not a valid number for any country' };
  }
  return { valid: true, digits: normalised };
}
