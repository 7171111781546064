/** Numbers of a run by state; those neither success, invalid nor error are still pending. */
export interface ProgressCounts {
  total: number;
  success: number;
  invalid: number;
  error: number;
}

/** The part of a stream the bar uses, so that tests can pass a stand-in for a terminal. */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

export interface ProgressTiming {
  /** Minimum time between redraws on a terminal, in milliseconds. */
  redrawMs: number;
  /** Minimum time between printed lines when the stream is not a terminal, in milliseconds. */
  lineMs: number;
  now: () => number;
}

const DEFAULT_TIMING: ProgressTiming = { redrawMs: 100, lineMs: 10_000, now: Date.now };

const BAR_WIDTH = 24;

/** Carriage return, then erase to the end of the line (ANSI EL). */
const REWRITE_LINE = '\r\x1b[K';

/**
 * Progress of settling numbers. On a terminal it redraws one line in place. Elsewhere, such as
 * in a log file, it prints a line at most every `lineMs`, so the output stays short.
 */
export class ProgressBar {
  private readonly timing: ProgressTiming;
  private lastDrawnAt = -Infinity;
  private lastLine = '';

  constructor(
    private readonly stream: ProgressStream,
    timing: Partial<ProgressTiming> = {},
  ) {
    this.timing = { ...DEFAULT_TIMING, ...timing };
  }

  private get inPlace(): boolean {
    return this.stream.isTTY === true;
  }

  /** Shows new counts, unless the last drawing is too recent. */
  update(counts: ProgressCounts): void {
    const interval = this.inPlace ? this.timing.redrawMs : this.timing.lineMs;
    if (this.timing.now() - this.lastDrawnAt < interval) return;
    this.draw(formatProgress(counts));
  }

  /** Prints a line of text above the bar, which is then redrawn. */
  note(text: string): void {
    if (!this.inPlace) {
      this.stream.write(`${text}\n`);
      return;
    }
    this.stream.write(`${REWRITE_LINE}${text}\n`);
    if (this.lastLine !== '') this.stream.write(this.lastLine);
  }

  /** Shows the final counts and ends the bar's line. */
  finish(counts: ProgressCounts): void {
    const line = formatProgress(counts);
    if (line !== this.lastLine) this.draw(line);
    if (this.inPlace && this.lastLine !== '') this.stream.write('\n');
    this.lastLine = '';
  }

  private draw(line: string): void {
    this.stream.write(this.inPlace ? `${REWRITE_LINE}${line}` : `${line}\n`);
    this.lastLine = line;
    this.lastDrawnAt = this.timing.now();
  }
}

/** Formats counts as `[####----]  4321/10000  43%  success 4300  invalid 10  error 11`. */
export function formatProgress(counts: ProgressCounts): string {
  const settled = counts.success + counts.invalid + counts.error;
  const share = counts.total === 0 ? 1 : settled / counts.total;
  // Rounded down, so that 100% means every number settled.
  const percent = Math.floor(share * 100);
  const filled = Math.floor(share * BAR_WIDTH);
  const bar = `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}]`;
  const tally = `success ${counts.success}  invalid ${counts.invalid}  error ${counts.error}`;
  return `${bar}  ${settled}/${counts.total}  ${percent}%  ${tally}`;
}
