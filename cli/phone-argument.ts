import { checkNumber } from '../shared/phone-number.js';
import { CliError } from './cli-error.js';

/** Returns the normalised digits of a number given on the command line. */
export function requireValidNumber(raw: string): string {
  const check = checkNumber(raw);
  if (check.valid) return check.digits;
  throw new CliError(
    `invalid phone number ${JSON.stringify(raw)}: it ${check.reason}; ` +
      'give the full international number, such as +16175551234',
  );
}

/** Names a valid number by its last four digits, the only part that error messages show. */
export function numberEnding(digits: string): string {
  return `number ending ${digits.slice(-4)}`;
}
