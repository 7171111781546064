/**
 * Classification: numbers per second that the service's classification code handles on one
 * thread, against bare `libphonenumber-js/max` parsing and validation of the same list.
 * Measures both `classifyNumbers` (api/classify-numbers.ts, with a real Registry on Redis)
 * and `checkNumber` (shared/phone-number.ts) alone.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { classifyNumbers } from '../api/classify-numbers.js';
import { checkNumber } from '../shared/phone-number.js';
import { RedisKeys } from '../shared/redis-keys.js';
import { Registry } from '../shared/registry.js';
import { benchNumbers, deletePrefix, REDIS_URL } from './bench-support.js';
import { repeatRuns, type RunFigures, type Scenario, type ScenarioOptions } from './scenario.js';
import { DOMAIN, onInterrupt } from './service-stack.js';

/** The service's MAX_USERS_PER_REQUEST default: the most numbers classifyNumbers gets at once. */
const CHUNK = 10_000;
const WARM_UP = 2_000;

function bareValidCount(numbers: readonly string[]): number {
  let valid = 0;
  for (const number of numbers) {
    if (parsePhoneNumberFromString(`+${number}`)?.isValid()) valid += 1;
  }
  return valid;
}

function checkedValidCount(numbers: readonly string[]): number {
  let valid = 0;
  for (const number of numbers) {
    if (checkNumber(number).valid) valid += 1;
  }
  return valid;
}

async function classifiedDeliveries(registry: Registry, numbers: readonly string[]) {
  let deliveries = 0;
  for (let i = 0; i < numbers.length; i += CHUNK) {
    const result = await classifyNumbers(registry, DOMAIN, numbers.slice(i, i + CHUNK));
    deliveries += result.deliveries.length;
  }
  return deliveries;
}

/** Runs `count`, checks it found every number valid, and returns numbers per second. */
async function rate(numbers: readonly string[], count: () => number | Promise<number>) {
  const started = performance.now();
  const valid = await count();
  const seconds = (performance.now() - started) / 1000;
  if (valid !== numbers.length) throw new Error(`${valid} of ${numbers.length} numbers were valid`);
  return numbers.length / seconds;
}

async function runOnce(options: ScenarioOptions): Promise<RunFigures> {
  const numbers = benchNumbers(options.quick ? 10_000 : 50_000);
  const prefix = `bench-${randomBytes(4).toString('hex')}`;
  const redis = new Redis(REDIS_URL);
  const registry = new Registry(redis, new RedisKeys(prefix));
  const cleanup = async () => {
    redis.disconnect();
    await deletePrefix(prefix);
  };
  const forget = onInterrupt(cleanup);
  try {
    // The first calls load libphonenumber's metadata and compile the hot functions.
    const warmUp = benchNumbers(WARM_UP, 100_000);
    bareValidCount(warmUp);
    checkedValidCount(warmUp);
    await classifiedDeliveries(registry, warmUp);

    const bare = await rate(numbers, () => bareValidCount(numbers));
    const check = await rate(numbers, () => checkedValidCount(numbers));
    const classify = await rate(numbers, () => classifiedDeliveries(registry, numbers));
    return { classify, check, bare, classifyRatio: classify / bare, checkRatio: check / bare };
  } finally {
    forget();
    await cleanup();
  }
}

export const classification: Scenario = {
  name: 'classification',
  description:
    '50,000 valid US numbers (10,000 with --quick) in the bench process, one thread. ' +
    'classifyNumbers takes them in chunks of 10,000 (the default MAX_USERS_PER_REQUEST) ' +
    'against a Registry on Redis with no workers or opt-outs stored; checkNumber and the bare ' +
    'parse + isValid loop take the same list. Redis runs on the other core.',
  target: 'no target: reported for comparison',
  figures: [
    { key: 'classify', label: 'classifyNumbers (Registry on Redis)', unit: 'numbers/s', digits: 0 },
    { key: 'check', label: 'checkNumber alone', unit: 'numbers/s', digits: 0 },
    { key: 'bare', label: 'bare parse + isValid', unit: 'numbers/s', digits: 0 },
    { key: 'classifyRatio', label: 'classifyNumbers / bare', unit: '×', digits: 2 },
    { key: 'checkRatio', label: 'checkNumber / bare', unit: '×', digits: 2 },
  ],
  conditions: [],
  measure: (options) => repeatRuns(options, () => runOnce(options)),
};
