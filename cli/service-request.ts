import { setTimeout as sleep } from 'node:timers/promises';
import { ServiceError } from './service-error.js';

export interface RetryPolicy {
  /** Attempts per request, counting the first. */
  maxAttempts: number;
  /** Pause after the first network error, in milliseconds, doubled with each attempt. */
  networkDelayMs: number;
  /** Pause after a 503 whose Retry-After is missing or not a number of seconds. */
  defaultRetryAfterMs: number;
  /** Upper bound on the pause taken for a Retry-After, in milliseconds. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 5,
  networkDelayMs: 1000,
  defaultRetryAfterMs: 5000,
  maxRetryAfterMs: 60_000,
};

/** Called before each pause, to tell the operator why the command is waiting. */
export type RetryListener = (reason: string, delayMs: number, nextAttempt: number) => void;

export interface RequestOptions {
  policy: RetryPolicy;
  timeoutMs: number;
  /** Whether a request that got no HTTP response is sent again. A 503 is always retried. */
  retryNetworkErrors: boolean;
  /** Text for messages, such as "submitting lines 2-5001 to http://127.0.0.1:8000". */
  action: string;
  onRetry?: RetryListener;
}

/**
 * Sends a request, and sends it again after a 503 (waiting for its Retry-After) or, when
 * allowed, after a network error or timeout, up to `policy.maxAttempts` in all. Returns the
 * first other response, or the last 503. Throws a ServiceError when no response arrived.
 */
export async function sendWithRetry(
  url: URL,
  init: RequestInit,
  options: RequestOptions,
): Promise<Response> {
  const { policy } = options;
  for (let attempt = 1; ; attempt++) {
    const last = attempt >= policy.maxAttempts;
    let response: Response;
    try {
      response = await fetch(url, { ...init, signal: AbortSignal.timeout(options.timeoutMs) });
    } catch (error) {
      const code = networkErrorCode(error);
      if (last || !options.retryNetworkErrors || code === 'ENOTFOUND') {
        throw unreachable(options.action, code, attempt);
      }
      const delayMs = policy.networkDelayMs * 2 ** (attempt - 1);
      options.onRetry?.(`${options.action} failed (${code})`, delayMs, attempt + 1);
      await sleep(delayMs);
      continue;
    }
    if (response.status !== 503 || last) return response;

    // The body is dropped so that the connection can be reused.
    await response.body?.cancel();
    const delayMs = retryAfterMs(response.headers.get('retry-after'), policy);
    options.onRetry?.(`the service is unavailable (HTTP 503)`, delayMs, attempt + 1);
    await sleep(delayMs);
  }
}

/** Reads a Retry-After given in seconds. The HTTP-date form gets the default pause. */
export function retryAfterMs(header: string | null, policy: RetryPolicy): number {
  const seconds = header !== null && /^\d+$/.test(header.trim()) ? Number(header) : NaN;
  const delayMs = Number.isFinite(seconds) ? seconds * 1000 : policy.defaultRetryAfterMs;
  return Math.min(delayMs, policy.maxRetryAfterMs);
}

/**
 * Returns the reason fetch failed. Undici rejects with "fetch failed" and puts the reason in
 * `cause`: a socket error with a `code` such as ECONNREFUSED, or an error such as "bad port"
 * for the ports that fetch blocks. AbortSignal.timeout rejects with a TimeoutError.
 */
function networkErrorCode(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (error.name === 'TimeoutError') return 'timed out';
  const cause = error.cause as { code?: unknown; message?: unknown } | undefined;
  if (typeof cause?.code === 'string') return cause.code;
  if (typeof cause?.message === 'string') return cause.message;
  return error.message;
}

function unreachable(action: string, code: string, attempts: number): ServiceError {
  const tries = attempts > 1 ? ` after ${attempts} attempts` : '';
  return new ServiceError(
    `${action} failed (${code})${tries}; check --url and that the service is running there`,
    null,
  );
}
