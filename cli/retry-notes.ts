import type { ProgressBar } from './progress-bar.js';
import type { RetryListener } from './service-request.js';

/**
 * Minimum time between two retry notes, in milliseconds. Every pending batch is polled at
 * once, so an outage makes each of them retry, and the notes would otherwise flood stderr.
 */
const RETRY_NOTE_INTERVAL_MS = 10_000;

/**
 * Returns a listener that prints on stderr why the command pauses, at most one note per
 * RETRY_NOTE_INTERVAL_MS, and counts the retries left out in the next note.
 */
export function retryNotes(progress: ProgressBar, maxAttempts: number): RetryListener {
  let lastNoteAt = -Infinity;
  let unreported = 0;
  return (reason, delayMs, attempt) => {
    const now = Date.now();
    if (now - lastNoteAt < RETRY_NOTE_INTERVAL_MS) {
      unreported += 1;
      return;
    }
    const seconds = Math.ceil(delayMs / 1000);
    const retry = `retrying in ${seconds} s (attempt ${attempt} of ${maxAttempts})`;
    const others = unreported > 0 ? `; ${unreported} other retries since the last note` : '';
    progress.note(`${reason}; ${retry}${others}`);
    lastNoteAt = now;
    unreported = 0;
  };
}
