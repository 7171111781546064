/**
 * Sends the simulator's webhooks (delivery receipts and inbound SMS) as JSON POSTs, retrying
 * failures, and stops every pending send on close.
 */
import { setTimeout as sleep } from 'node:timers/promises';

import type { Logger } from 'pino';

/** Retry settings of a {@link WebhookPoster}. */
export interface WebhookRetryOptions {
  /** Tries per webhook, the first included. */
  attempts: number;
  /** Wait before the first retry, doubling before each later one, in milliseconds. */
  retryBaseDelayMs: number;
  /** Time allowed for one try, in milliseconds. */
  timeoutMs: number;
}

const DEFAULT_RETRY: WebhookRetryOptions = { attempts: 4, retryBaseDelayMs: 100, timeoutMs: 5000 };

/** Description of one webhook for logs: its kind and the id of the message it is about. */
export interface WebhookLabel {
  kind: 'delivery receipt' | 'inbound SMS';
  messageId: string;
}

/**
 * Poster that runs background tasks and tracks them, so that {@link close} can abort and wait
 * for all of them. It can be used again after close.
 */
export class WebhookPoster {
  private closing = new AbortController();
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly logger: Logger,
    private readonly retry: WebhookRetryOptions = DEFAULT_RETRY,
  ) {}

  /** Signal that aborts when {@link close} is called. */
  get signal(): AbortSignal {
    return this.closing.signal;
  }

  /**
   * Runs `task` in the background. An error from it is logged at debug level and never
   * reaches the caller, so a failing webhook cannot crash the simulator.
   */
  track(task: (signal: AbortSignal) => Promise<void>): void {
    const signal = this.closing.signal;
    const running = task(signal)
      .catch((error: unknown) => {
        if (!signal.aborted) {
          this.logger.debug({ err: error }, 'webhook task failed');
        }
      })
      .finally(() => this.pending.delete(running));
    this.pending.add(running);
  }

  /** Waits `delayMs`; rejects with an AbortError when `signal` aborts first. */
  async wait(delayMs: number, signal: AbortSignal): Promise<void> {
    await sleep(delayMs, undefined, { signal });
  }

  /**
   * POSTs `body` as JSON to `url`, retrying network errors, timeouts and non-2xx responses.
   *
   * @returns true once an attempt gets a 2xx response, false when every attempt failed
   * @throws AbortError when `signal` aborts
   */
  async post(
    url: string,
    body: object,
    label: WebhookLabel,
    signal: AbortSignal,
  ): Promise<boolean> {
    for (let attempt = 1; attempt <= this.retry.attempts; attempt++) {
      const failure = await this.tryPost(url, body, signal);
      if (failure === null) {
        return true;
      }
      signal.throwIfAborted();
      const logFields = { ...label, url: redactUrl(url), attempt, failure };
      if (attempt === this.retry.attempts) {
        this.logger.debug(logFields, 'webhook failed on every attempt; giving up');
        return false;
      }
      this.logger.debug(logFields, 'webhook failed; retrying');
      await this.wait(this.retry.retryBaseDelayMs * 2 ** (attempt - 1), signal);
    }
    return false;
  }

  /** Aborts waiting and in-flight webhooks and resolves once every task has ended. */
  async close(): Promise<void> {
    this.closing.abort();
    await Promise.all([...this.pending]);
    this.closing = new AbortController();
  }

  // Returns null on a 2xx response, or a description of the failure.
  private async tryPost(url: string, body: object, signal: AbortSignal): Promise<string | null> {
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.any([signal, AbortSignal.timeout(this.retry.timeoutMs)]),
      });
      await response.arrayBuffer();
      return response.ok ? null : `HTTP ${response.status}`;
    } catch (error) {
      signal.throwIfAborted();
      return describeFetchError(error);
    }
  }
}

// fetch reports every network failure as "fetch failed", and the cause's code names which one.
function describeFetchError(error: unknown): string {
  if (!(error instanceof Error)) {
    return String(error);
  }
  const code = (error.cause as { code?: unknown } | undefined)?.code;
  const detail = typeof code === 'string' ? ` (${code})` : '';
  return `${error.name}: ${error.message}${detail}`;
}

// Webhook URLs may carry a secret in their query string, which logs must not show.
function redactUrl(url: string): string {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname}`;
}
