import { setTimeout as sleep } from 'node:timers/promises';
import type { InputNumber } from './number-file.js';
import type { ProgressBar, ProgressCounts } from './progress-bar.js';
import type {
  BatchResponse,
  BatchLists,
  ReinstallClient,
  ReinstallRequest,
} from './reinstall-client.js';
import { ServiceError } from './service-error.js';

/** Consecutive input numbers sent as one batch, and what the service last returned for it. */
export interface Submission {
  /** Index in the input of the first number. */
  start: number;
  numbers: string[];
  batchId: string | null;
  location: string | null;
  settled: boolean;
  lists: BatchLists;
}

/**
 * Seconds that a poll requests the service to wait for the batch to settle. It is short
 * because a long poll returns early only when the whole batch settles, and the progress bar
 * should move meanwhile.
 */
const POLL_WAIT_SECONDS = 5;

/** Pause between polls of a batch when the service responds at once, in milliseconds. */
const MIN_POLL_INTERVAL_MS = 1000;

/**
 * Submits the input in chunks and polls the batches until all settle. A chunk that the service
 * rejects with 413 is split in two and each half submitted again.
 */
export class SubmissionRun {
  /** Accepted batches in input order. */
  readonly submissions: Submission[] = [];
  private stopped = false;

  constructor(
    private readonly client: ReinstallClient,
    private readonly request: ReinstallRequest,
    private readonly inputs: readonly InputNumber[],
    private readonly progress: ProgressBar,
  ) {}

  async submitAll(chunkSize: number): Promise<void> {
    for (let start = 0; start < this.inputs.length; start += chunkSize) {
      await this.submitRange(start, Math.min(this.inputs.length, start + chunkSize));
    }
  }

  /** Polls every pending batch at the same time; the first failure stops all of them. */
  async pollAll(): Promise<void> {
    const pending = this.submissions.filter((submission) => !submission.settled);
    try {
      await Promise.all(pending.map((submission) => this.pollUntilSettled(submission)));
    } finally {
      this.stopped = true;
    }
  }

  counts(): ProgressCounts {
    const counts = { total: this.inputs.length, success: 0, invalid: 0, error: 0 };
    for (const { lists } of this.submissions) {
      counts.success += lists.success_numbers.length;
      counts.invalid += lists.invalid_format_numbers.length;
      counts.error += lists.error_numbers.length;
    }
    return counts;
  }

  /** Ids of the batches that the service accepted and has not settled. */
  pendingBatchIds(): string[] {
    return this.submissions
      .filter((submission) => !submission.settled)
      .map((submission) => submission.batchId ?? submission.location ?? '?');
  }

  private async submitRange(start: number, end: number): Promise<void> {
    const numbers = this.inputs.slice(start, end).map((input) => input.phoneNumber);
    const label = this.label(start, end);
    let batch: BatchResponse;
    try {
      batch = await this.client.submit(this.request, numbers, label);
    } catch (error) {
      if (!(error instanceof ServiceError && error.status === 413 && numbers.length > 1)) {
        throw error;
      }
      this.progress.note(`the service rejected ${label} as too large (HTTP 413); splitting it`);
      const middle = start + Math.ceil(numbers.length / 2);
      await this.submitRange(start, middle);
      await this.submitRange(middle, end);
      return;
    }
    this.accept({ start, numbers, ...batch }, label);
  }

  private accept(submission: Submission, label: string): void {
    checkListsCover(submission, submission.lists);
    if (!submission.settled && submission.location === null) {
      throw new ServiceError(
        `submitting ${label} returned a pending batch without a Location to poll; ` +
          'check that --url is the reinstall service',
        null,
      );
    }
    this.submissions.push(submission);
    const batch = submission.batchId === null ? 'settled at once' : `batch ${submission.batchId}`;
    this.progress.note(`submitted ${label}: ${batch}`);
    this.progress.update(this.counts());
  }

  // NOTE: a batch that never settles, as when no worker runs, is polled until the operator
  // interrupts the command, and the bar does not move meanwhile.
  private async pollUntilSettled(submission: Submission): Promise<void> {
    while (!submission.settled && !this.stopped) {
      const startedAt = Date.now();
      const batch = await this.client.poll(submission.location ?? '', POLL_WAIT_SECONDS);
      checkListsCover(submission, batch.lists);
      submission.lists = batch.lists;
      submission.settled = batch.settled;
      this.progress.update(this.counts());

      const elapsedMs = Date.now() - startedAt;
      if (!submission.settled && elapsedMs < MIN_POLL_INTERVAL_MS) {
        await sleep(MIN_POLL_INTERVAL_MS - elapsedMs);
      }
    }
  }

  private label(start: number, end: number): string {
    const first = this.inputs[start].line;
    const last = this.inputs[end - 1].line;
    return first === last ? `line ${first}` : `lines ${first}-${last}`;
  }
}

/** Rejects lists that do not contain each submitted number once. */
function checkListsCover(submission: Submission, lists: BatchLists): void {
  const listed = Object.values(lists).reduce((sum, list) => sum + list.length, 0);
  if (listed === submission.numbers.length) return;
  const batch = submission.batchId ?? 'settled at once';
  throw new ServiceError(
    `the service listed ${listed} numbers for batch ${batch}, which was sent ` +
      `${submission.numbers.length}; check that --url is the reinstall service`,
    null,
  );
}
