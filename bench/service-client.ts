/**
 * HTTP calls the scenarios make to the service: submissions, and polling a batch with
 * `?wait=` until it settles.
 */
import { performance } from 'node:perf_hooks';
import { APP_ID, type ServiceStack } from './service-stack.js';

/** Longest `?wait=` of one poll, in seconds. The service caps it at 60 by default. */
const POLL_WAIT_SECONDS = 30;

export interface SubmissionResult {
  status: number;
  /** Path of the batch, set on 202 responses. */
  location?: string;
  body: BatchBody;
}

export interface BatchCounts {
  total: number;
  success: number;
  invalid_format: number;
  error: number;
  pending: number;
}

/** The fields of a submission or poll response that the bench reads. */
export interface BatchBody {
  status?: string;
  counts?: BatchCounts;
  success_numbers?: string[];
  error?: string;
}

export function usersBody(numbers: readonly string[]): string {
  const users = numbers.map((phone_number) => ({ phone_number }));
  return JSON.stringify({ app_id: APP_ID, users });
}

/** Posts a reinstall request; `respondAsync` sends `Prefer: respond-async`. */
export async function submitUsers(
  stack: ServiceStack,
  body: string,
  respondAsync: boolean,
  signal?: AbortSignal,
): Promise<SubmissionResult> {
  const headers: Record<string, string> = {
    authorization: stack.auth,
    'content-type': 'application/json',
  };
  if (respondAsync) headers.prefer = 'respond-async';
  const response = await fetch(stack.reinstallUrl, { method: 'POST', headers, body, signal });
  const parsed = (await response.json()) as BatchBody;
  const location = response.headers.get('location') ?? undefined;
  return { status: response.status, location, body: parsed };
}

/** Submits asynchronously and returns the batch path. Throws unless the response is 202. */
export async function submitAsync(stack: ServiceStack, body: string): Promise<string> {
  const result = await submitUsers(stack, body, true);
  if (result.status !== 202 || result.location === undefined) {
    // Field names only: a validation message may quote a phone number.
    const reason = result.body.error ?? `invalid fields ${Object.keys(result.body).join(', ')}`;
    throw new Error(`async submission returned HTTP ${result.status}, expected 202: ${reason}`);
  }
  return result.location;
}

/**
 * Polls a batch with `?wait=` until it settles and returns the last response body.
 *
 * @throws Error when `deadline` (a `performance.now()` time) passes first, or a process exits
 */
export async function waitUntilSettled(
  stack: ServiceStack,
  location: string,
  deadline: number,
): Promise<BatchBody> {
  const url = new URL(location, stack.baseUrl);
  const headers = { authorization: stack.auth };
  // Each poll returns at the latest after POLL_WAIT_SECONDS, so the deadline is checked often.
  while (performance.now() < deadline) {
    stack.assertRunning();
    const remainingSeconds = Math.ceil((deadline - performance.now()) / 1000);
    const waitSeconds = Math.max(1, Math.min(POLL_WAIT_SECONDS, remainingSeconds));
    url.searchParams.set('wait', String(waitSeconds));
    const response = await fetch(url, { headers });
    const body = (await response.json()) as BatchBody;
    if (response.status !== 200) {
      throw new Error(`polling the batch returned HTTP ${response.status}: ${body.error ?? ''}`);
    }
    if (body.status === 'settled') return body;
  }
  throw new Error(`timed out: the batch did not settle within the scenario's time limit`);
}

/** Time from the start of an async submission until the batch settles, and its counts. */
export interface SettledBatch {
  ms: number;
  counts: BatchCounts;
}

/** Submits `numbers` asynchronously and waits until the batch settles, within `timeoutMs`. */
export async function submitAndSettle(
  stack: ServiceStack,
  numbers: readonly string[],
  timeoutMs: number,
): Promise<SettledBatch> {
  const body = usersBody(numbers);
  const started = performance.now();
  const location = await submitAsync(stack, body);
  const settled = await waitUntilSettled(stack, location, started + timeoutMs);
  const ms = performance.now() - started;
  if (settled.counts === undefined) throw new Error('the settled batch has no counts');
  return { ms, counts: settled.counts };
}
