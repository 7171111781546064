import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { Outcome } from '../shared/batch-store.js';
import { checkNumber } from '../shared/phone-number.js';
import type { Registry } from '../shared/registry.js';

/** A number to send to, with the language its first message is written in. */
export interface Delivery {
  index: number;
  digits: string;
  /** The worker's language when the number belongs to this project's worker. */
  language?: string;
}

export interface Classification {
  /** Outcomes known without sending: malformed numbers, other projects' workers, opt-outs. */
  decided: Map<number, Outcome>;
  deliveries: Delivery[];
}

/** Numbers parsed between yields to the event loop, so a large request does not stall others. */
const PARSE_CHUNK = 100;

/**
 * Sorts a request's numbers into those to send to and those settled at once.
 * A number of another project's worker, or one that opted out of this
 * project's SMS, is an error: it is never messaged.
 */
export async function classifyNumbers(
  registry: Registry,
  domain: string,
  numbers: readonly string[],
): Promise<Classification> {
  const decided = new Map<number, Outcome>();
  const valid: { index: number; digits: string }[] = [];
  for (let i = 0; i < numbers.length; i++) {
    if (i > 0 && i % PARSE_CHUNK === 0) await yieldToEventLoop();
    const check = checkNumber(numbers[i]);
    if (check.valid) valid.push({ index: i, digits: check.digits });
    else decided.set(i, { kind: 'invalid' });
  }

  const digits = valid.map((entry) => entry.digits);
  const [owners, optedOut] = await Promise.all([
    registry.getWorkers(digits),
    registry.areOptedOut(domain, digits),
  ]);

  const deliveries: Delivery[] = [];
  valid.forEach(({ index, digits: number }, i) => {
    const owner = owners[i];
    if (owner && owner.domain !== domain) {
      decided.set(index, { kind: 'error', reason: 'registered_to_another_project' });
    } else if (optedOut[i]) {
      decided.set(index, { kind: 'error', reason: 'opted_out' });
    } else {
      deliveries.push({ index, digits: number, language: owner?.language });
    }
  });
  return { decided, deliveries };
}
