import type { SubmissionRun } from './batch-submission.js';
import { CliError, isExpectedError } from './cli-error.js';
import type { InputNumber } from './number-file.js';
import { buildResultRows, writeResultsCsv, type ResultRow } from './submission-results.js';

/** Exit code after Ctrl-C: 128 plus SIGINT's number 2, as shells report it. */
const INTERRUPTED_EXIT_CODE = 130;

/** Writes one row per input number from the batches' latest lists, and returns the rows. */
export function writeResults(
  run: SubmissionRun,
  numbers: readonly InputNumber[],
  out: string,
): ResultRow[] {
  const rows = buildResultRows(numbers, run.submissions);
  writeResultsCsv(out, rows);
  return rows;
}

/**
 * Writes the results known when a run failed, once any batch was accepted, and returns the
 * error to report. Its message names the batches that may still be sending, so that the
 * operator does not submit those numbers again.
 */
export function saveAfterFailure(
  error: unknown,
  run: SubmissionRun,
  numbers: readonly InputNumber[],
  out: string,
): unknown {
  if (run.submissions.length === 0) return error;
  writeResults(run, numbers, out);
  if (!isExpectedError(error)) return error;
  return new CliError(`${error.message}${stillSending(run)}; the results so far are in ${out}`);
}

/**
 * Makes Ctrl-C write the results known so far before the process exits with 130, because the
 * accepted batches keep sending and the operator needs to know which numbers they contain.
 * Returns a function that removes the handler.
 */
export function saveOnInterrupt(
  run: SubmissionRun,
  numbers: readonly InputNumber[],
  out: string,
): () => void {
  const onInterrupt = () => {
    let saved = '';
    if (run.submissions.length > 0) {
      writeResults(run, numbers, out);
      saved = `; the results so far are in ${out}`;
    }
    process.stderr.write(`\nerror: interrupted${stillSending(run)}${saved}\n`);
    process.exit(INTERRUPTED_EXIT_CODE);
  };
  process.once('SIGINT', onInterrupt);
  return () => process.off('SIGINT', onInterrupt);
}

function stillSending(run: SubmissionRun): string {
  const pending = run.pendingBatchIds();
  if (pending.length === 0) return '';
  return `; batches ${pending.join(', ')} were accepted and may still be sending`;
}
