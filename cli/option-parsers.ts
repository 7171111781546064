import { InvalidArgumentError } from 'commander';
import { LANGUAGE_CODE } from '../shared/default-messages.js';
import { isPlan, PLANS, type Plan } from '../shared/plans.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/** A date, optionally followed by a time with a zone. Group 1 is the date. */
const ISO_DATE_TIME = new RegExp(
  String.raw`^(\d{4}-\d{2}-\d{2})(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?$`,
);

// Commander prints these messages after "argument 'x' is invalid.", hence the capital letters.

/** Parses a software plan name, in any letter case. */
export function parsePlan(value: string): Plan {
  const plan = value.toUpperCase();
  if (isPlan(plan)) return plan;
  throw new InvalidArgumentError(`Use one of ${PLANS.join(', ')}.`);
}

/** Parses `on` or `off`. */
export function parseOnOff(value: string): boolean {
  if (value === 'on') return true;
  if (value === 'off') return false;
  throw new InvalidArgumentError('Use on or off.');
}

export function parseLanguage(value: string): string {
  if (LANGUAGE_CODE.test(value)) return value;
  throw new InvalidArgumentError('Use a two- or three-letter lowercase ISO 639 code such as en.');
}

/** Appends each use of a repeatable option to a list. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/**
 * Parses the email address of the user an API key belongs to. It may not contain `:`, because
 * the API splits its credentials at the first colon.
 */
export function parseUsername(value: string): string {
  if (/^[^\s:@]+@[^\s:@]+$/.test(value)) return value;
  throw new InvalidArgumentError('Use an email address such as admin@example.org.');
}

/**
 * Parses an expiry: `<N>d` for N days from now, a date (`2030-12-31`, midnight UTC), or a
 * date and time with a zone (`2030-12-31T18:00:00Z`, `2030-12-31T18:00+03:00`).
 */
export function parseExpiry(value: string, now = new Date()): Date {
  const expiry = readExpiry(value, now);
  if (!expiry) {
    throw new InvalidArgumentError(
      'Use a number of days such as 90d, a date such as 2030-12-31, or 2030-12-31T18:00:00Z.',
    );
  }
  if (expiry.getTime() <= now.getTime()) {
    throw new InvalidArgumentError('The expiry is in the past; give a later date.');
  }
  return expiry;
}

function readExpiry(value: string, now: Date): Date | null {
  const days = /^(\d{1,5})d$/.exec(value);
  if (days) {
    return Number(days[1]) > 0 ? new Date(now.getTime() + Number(days[1]) * DAY_MS) : null;
  }
  const parts = ISO_DATE_TIME.exec(value);
  if (!parts || !isCalendarDate(parts[1])) return null;
  const time = Date.parse(value);
  return Number.isFinite(time) ? new Date(time) : null;
}

/** Rejects dates such as 2030-02-31, which `Date` would roll over into March. */
function isCalendarDate(date: string): boolean {
  const time = Date.parse(date);
  return Number.isFinite(time) && new Date(time).toISOString().slice(0, 10) === date;
}
