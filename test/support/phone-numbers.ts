import { checkNumber } from '../../shared/phone-number.js';

/**
 * Returns `count` distinct valid US numbers, spelled as digits. Numbers in
 * the 617-555 exchange are fictional but valid by libphonenumber-js rules.
 */
export function validNumbers(count: number, start = 1000, areaCode = '617'): string[] {
  const numbers: string[] = [];
  for (let line = start; numbers.length < count; line++) {
    const candidate = `1${areaCode}555${String(line).padStart(4, '0')}`;
    if (line > 9999) throw new Error(`ran out of numbers after ${numbers.length}`);
    if (checkNumber(candidate).valid) numbers.push(candidate);
  }
  return numbers;
}
