import { accessSync, constants, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Submission } from './batch-submission.js';
import { CliError } from './cli-error.js';
import type { InputNumber } from './number-file.js';
import type { BatchLists } from './reinstall-client.js';

/**
 * State of one input number in the results file. `pending` and `not_submitted` appear only
 * when the command failed part way: a pending number may still be sent, and a number not
 * submitted was never sent to the service.
 */
export type ResultOutcome = 'success' | 'invalid_format' | 'error' | 'pending' | 'not_submitted';

export interface ResultRow {
  phoneNumber: string;
  outcome: ResultOutcome;
  reason: string;
}

/** An outcome as read from a batch, with the service's reason when it gives one. */
interface NumberOutcome {
  outcome: ResultOutcome;
  serverReason?: string;
}

const LIST_OUTCOMES: [keyof BatchLists, ResultOutcome][] = [
  ['success_numbers', 'success'],
  ['invalid_format_numbers', 'invalid_format'],
  ['error_numbers', 'error'],
  ['pending_numbers', 'pending'],
];

/** Builds one row per input number, in input order, from the batches' latest lists. */
export function buildResultRows(
  inputs: readonly InputNumber[],
  submissions: readonly Submission[],
): ResultRow[] {
  const rows: ResultRow[] = inputs.map(({ phoneNumber }) => ({
    phoneNumber,
    outcome: 'not_submitted',
    reason: reasonFor({ outcome: 'not_submitted' }),
  }));
  for (const submission of submissions) {
    // The service lists each number once, exactly as sent, and a batch contains no repeats.
    const outcomes = outcomesByNumber(submission.lists);
    submission.numbers.forEach((phoneNumber, i) => {
      const found = outcomes.get(phoneNumber) ?? { outcome: 'pending' };
      const row = { phoneNumber, outcome: found.outcome, reason: reasonFor(found) };
      rows[submission.start + i] = row;
    });
  }
  return rows;
}

// TODO: the batch view lists numbers without reasons. When the service returns a reason per
// number, put it in serverReason here, and reasonFor writes it into the results file.
function outcomesByNumber(lists: BatchLists): Map<string, NumberOutcome> {
  const outcomes = new Map<string, NumberOutcome>();
  for (const [list, outcome] of LIST_OUTCOMES) {
    for (const phoneNumber of lists[list]) outcomes.set(phoneNumber, { outcome });
  }
  return outcomes;
}

/** Returns the reason column: the service's reason when known, else a fixed text per outcome. */
function reasonFor(found: NumberOutcome): string {
  if (found.outcome === 'success') return '';
  if (found.serverReason) return found.serverReason;
  switch (found.outcome) {
    case 'invalid_format':
      return 'invalid format';
    case 'error':
      return 'error';
    case 'pending':
      return 'still sending when the command stopped';
    case 'not_submitted':
      return 'not submitted';
  }
}

export function countOutcomes(rows: readonly ResultRow[]): Record<ResultOutcome, number> {
  const counts = { success: 0, invalid_format: 0, error: 0, pending: 0, not_submitted: 0 };
  for (const row of rows) counts[row.outcome] += 1;
  return counts;
}

/** Writes `phone_number,outcome,reason` and one line per row. */
export function writeResultsCsv(file: string, rows: readonly ResultRow[]): void {
  const lines = ['phone_number,outcome,reason'];
  for (const row of rows) {
    lines.push([row.phoneNumber, row.outcome, row.reason].map(csvField).join(','));
  }
  try {
    writeFileSync(file, `${lines.join('\n')}\n`);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new CliError(`cannot write the results to ${file} (${code}); pass a writable --out`);
  }
}

/** Quotes a field as RFC 4180 requires when it contains a comma, quote or line break. */
function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/**
 * Checks, before anything is sent, that the results can be written: a run over thousands of
 * numbers should not end with nowhere to put its results. Creates no file.
 */
export function assertWritableResults(file: string, inputFile: string): void {
  if (path.resolve(file) === path.resolve(inputFile)) {
    throw new CliError(`--out ${file} is the input file; give another path for the results`);
  }
  const target = existsAsFile(file) ? file : path.dirname(path.resolve(file));
  try {
    accessSync(target, constants.W_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new CliError(`cannot write the results to ${file} (${code}); pass a writable --out`);
  }
}

function existsAsFile(file: string): boolean {
  try {
    const stats = statSync(file);
    if (stats.isDirectory()) {
      throw new CliError(`--out ${file} is a directory; give the path of a file`);
    }
    return true;
  } catch (error) {
    if (error instanceof CliError) throw error;
    return false;
  }
}
