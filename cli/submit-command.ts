import { InvalidArgumentError, type Command } from 'commander';
import { SubmissionRun } from './batch-submission.js';
import { CliError } from './cli-error.js';
import { listLines, readNumberFile } from './number-file.js';
import { saveAfterFailure, saveOnInterrupt, writeResults } from './partial-results.js';
import { ProgressBar } from './progress-bar.js';
import { ReinstallClient, type ApiTarget } from './reinstall-client.js';
import { retryNotes } from './retry-notes.js';
import { DEFAULT_RETRY_POLICY } from './service-request.js';
import { assertWritableResults, countOutcomes } from './submission-results.js';
import { resolveUserPath } from './user-path.js';

interface SubmitOptions {
  app: string;
  url: string;
  user?: string;
  key?: string;
  message?: string;
  out?: string;
  chunkSize: number;
}

const DEFAULT_URL = 'http://127.0.0.1:8000';

/** Numbers per request; half the service's default MAX_USERS_PER_REQUEST of 10,000. */
const DEFAULT_CHUNK_SIZE = 5000;

const HELP_AFTER = `
The API user and key come from REINSTALL_API_USER and REINSTALL_API_KEY unless --user and
--key are given; prefer the variables, because other users of the machine can see options.

The results file has the columns phone_number,outcome,reason and one row per number, in the
order of the input. The outcome is success, invalid_format or error. When the command fails
part way, it still writes the file: pending marks numbers that the service may still send to,
and not_submitted marks numbers never sent to the service.

Exit status: 0 when every number settled, 1 when reading the file, submitting or polling
failed, 2 for a usage error.`;

export function registerSubmitCommand(program: Command): void {
  program
    .command('submit')
    .description(
      'send the reinstall SMS to every number in a file through the service\'s API, show ' +
        'progress on stderr until every number settles, and write the results as CSV',
    )
    .argument('<domain>', 'project name')
    .argument(
      '<file>',
      'CSV file whose first line names a phone_number column, or one number per line',
    )
    .requiredOption('--app <app-id>', 'id of the app to reinstall')
    .option('--url <url>', 'base URL of the reinstall service', parseServiceUrl, DEFAULT_URL)
    .option('--user <username>', 'API user (default: $REINSTALL_API_USER)')
    .option('--key <api-key>', 'API key (default: $REINSTALL_API_KEY)')
    .option(
      '--message <text>',
      'text of the first SMS, with one {} where the Play Store link goes ' +
        '(default: the project\'s text in each worker\'s language)',
    )
    .option('--out <file>', 'path of the results CSV (default: <file>.results.csv)')
    .option(
      '--chunk-size <count>',
      'numbers per request; a longer file is sent as several batches',
      parseChunkSize,
      DEFAULT_CHUNK_SIZE,
    )
    .addHelpText('after', HELP_AFTER)
    .action(submitFile);
}

async function submitFile(domain: string, file: string, options: SubmitOptions): Promise<void> {
  const target = apiTarget(domain, options);
  const { numbers, skippedLines } = readNumberFile(file);
  const out = resolveUserPath(options.out ?? `${file}.results.csv`);
  assertWritableResults(out, resolveUserPath(file));

  const progress = new ProgressBar(process.stderr);
  if (skippedLines.length > 0) {
    const lines = listLines(skippedLines);
    progress.note(`skipped rows with an empty phone_number cell, on lines ${lines}`);
  }
  const notes = retryNotes(progress, DEFAULT_RETRY_POLICY.maxAttempts);
  const request = { appId: options.app, message: options.message };
  const run = new SubmissionRun(new ReinstallClient(target, notes), request, numbers, progress);
  const removeInterruptHandler = saveOnInterrupt(run, numbers, out);
  try {
    await run.submitAll(options.chunkSize);
    await run.pollAll();
  } catch (error) {
    // Before any batch is accepted, the error line alone explains what happened.
    if (run.submissions.length > 0) progress.finish(run.counts());
    throw saveAfterFailure(error, run, numbers, out);
  } finally {
    removeInterruptHandler();
  }
  progress.finish(run.counts());

  const counts = countOutcomes(writeResults(run, numbers, out));
  process.stdout.write(
    `${numbers.length} numbers: ${counts.success} success, ${counts.invalid_format} ` +
      `invalid_format, ${counts.error} error; results in ${out}\n`,
  );
}

function apiTarget(domain: string, options: SubmitOptions): ApiTarget {
  const username = options.user ?? nonEmpty(process.env.REINSTALL_API_USER);
  const apiKey = options.key ?? nonEmpty(process.env.REINSTALL_API_KEY);
  if (username === undefined) {
    throw new CliError('the API user is missing; set REINSTALL_API_USER or pass --user');
  }
  if (apiKey === undefined) {
    throw new CliError('the API key is missing; set REINSTALL_API_KEY or pass --key');
  }
  return { baseUrl: options.url, domain, username, apiKey };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

// Commander prints these messages after "option '...' argument '...' is invalid.", hence the
// capital letters.

/** Parses an http or https base URL and drops its trailing slashes. */
function parseServiceUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError('Use an http or https URL such as http://127.0.0.1:8000.');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InvalidArgumentError('Use an http or https URL such as http://127.0.0.1:8000.');
  }
  if (url.search !== '' || url.hash !== '') {
    throw new InvalidArgumentError('Give the base URL without a query or fragment.');
  }
  return url.href.replace(/\/+$/, '');
}

function parseChunkSize(value: string): number {
  const size = /^\d{1,7}$/.test(value) ? Number(value) : NaN;
  if (size >= 1) return size;
  throw new InvalidArgumentError('Use a whole number of numbers per request, such as 5000.');
}
