import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { normaliseNumber } from '../../shared/phone-number.js';

/**
 * Everything the service logs during the suite goes to one file, which the
 * last check of the suite scans for phone numbers and secrets.
 */
export const TEST_LOG_FILE = path.resolve('test-output', 'service.log');

const state = globalThis as typeof globalThis & {
  reinstallTestLog?: { numbers: Set<string>; secrets: Set<string> };
};

function registry() {
  if (!state.reinstallTestLog) {
    mkdirSync(path.dirname(TEST_LOG_FILE), { recursive: true });
    writeFileSync(TEST_LOG_FILE, '');
    state.reinstallTestLog = { numbers: new Set(), secrets: new Set() };
  }
  return state.reinstallTestLog;
}

/** A debug-level logger writing to the suite's log file. */
export function testLogger(): pino.Logger {
  registry();
  return pino({ level: 'debug' }, pino.destination({ dest: TEST_LOG_FILE, append: true, sync: true }));
}

/** Adds what a child process printed to the suite's log file. */
export function appendProcessOutput(label: string, output: string): void {
  registry();
  appendFileSync(TEST_LOG_FILE, output.split('\n').map((line) => `[${label}] ${line}\n`).join(''));
}

/** Notes phone numbers that tests sent, which must never appear whole in the log. */
export function rememberNumbers(numbers: Iterable<string>): void {
  const { numbers: seen } = registry();
  for (const number of numbers) {
    const digits = normaliseNumber(number);
    if (/^\d{8,15}$/.test(digits)) seen.add(digits);
  }
}

/** Notes API keys and passwords, which must never appear in the log. */
export function rememberSecret(secret: string): void {
  registry().secrets.add(secret);
}

export function rememberedNumbers(): ReadonlySet<string> {
  return registry().numbers;
}

export function rememberedSecrets(): ReadonlySet<string> {
  return registry().secrets;
}
