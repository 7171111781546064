import { randomUUID } from 'node:crypto';
import { failureFrom, ServiceError } from './service-error.js';
import {
  DEFAULT_RETRY_POLICY,
  sendWithRetry,
  type RetryListener,
  type RetryPolicy,
} from './service-request.js';

/** The four lists of a batch, each in request order, as the API names them. */
export interface BatchLists {
  success_numbers: string[];
  invalid_format_numbers: string[];
  error_numbers: string[];
  pending_numbers: string[];
}

/** A batch as the API returned it on submission or when polled. */
export interface BatchResponse {
  /** Null when the submission settled at once and the service returned 200. */
  batchId: string | null;
  /** Path or URL to poll, from the Location header of a 202. */
  location: string | null;
  settled: boolean;
  lists: BatchLists;
}

export interface ApiTarget {
  /** Base URL of the service, such as http://127.0.0.1:8000, without a trailing slash. */
  baseUrl: string;
  domain: string;
  username: string;
  apiKey: string;
}

export interface ReinstallRequest {
  appId: string;
  /** Text of the first SMS with one `{}`, or undefined for the project's text per language. */
  message?: string;
}

/** Timeout of a submission, which is long because the service classifies every number first. */
const SUBMIT_TIMEOUT_MS = 120_000;

/** Time allowed on top of a long poll's `wait` before the request counts as timed out. */
const POLL_MARGIN_MS = 30_000;

/** Client of the reinstall endpoint for one project. */
export class ReinstallClient {
  /**
   * Whether the service has responded yet. Network errors are retried only after that,
   * because until then a refused connection most likely means a wrong --url.
   */
  private respondedOnce = false;

  constructor(
    private readonly target: ApiTarget,
    private readonly onRetry?: RetryListener,
    private readonly policy: RetryPolicy = DEFAULT_RETRY_POLICY,
  ) {}

  /**
   * Submits numbers as one batch with `Prefer: respond-async`. A retried request carries the
   * same Idempotency-Key, so a service that honours it does not send the SMS twice.
   * `label` names the numbers in messages, such as "lines 2-5001".
   */
  async submit(
    request: ReinstallRequest,
    numbers: readonly string[],
    label: string,
  ): Promise<BatchResponse> {
    // Appended rather than resolved, so that a base URL with a path prefix keeps it.
    const domain = encodeURIComponent(this.target.domain);
    const url = new URL(
      `${this.target.baseUrl}/a/${domain}/api/v0_5/sms_user_registration_reinstall/`,
    );
    const body = {
      app_id: request.appId,
      users: numbers.map((phone_number) => ({ phone_number })),
      ...(request.message === undefined ? {} : { reinstall_message: request.message }),
    };
    const headers = {
      ...this.authorization(),
      'content-type': 'application/json',
      prefer: 'respond-async',
      'idempotency-key': randomUUID(),
    };
    const action = `submitting ${label} to ${this.target.baseUrl}`;
    const init = { method: 'POST', headers, body: JSON.stringify(body) };
    const response = await this.send(url, init, action, SUBMIT_TIMEOUT_MS);
    if (response.status !== 200 && response.status !== 202) {
      throw await failureFrom(response, action, (status) => this.advice(status));
    }
    return readBatchResponse(response, action);
  }

  /**
   * Reads a batch back. `waitSeconds` requests that the service hold the response until the
   * batch settles or that time passes. A service without long polling responds at once.
   */
  async poll(location: string, waitSeconds: number): Promise<BatchResponse> {
    const url = new URL(location, this.target.baseUrl);
    url.searchParams.set('wait', String(waitSeconds));
    const batchId = url.pathname.split('/').filter(Boolean).pop() ?? location;
    const action = `polling batch ${batchId} at ${this.target.baseUrl}`;
    const init = { method: 'GET', headers: this.authorization() };
    const response = await this.send(url, init, action, waitSeconds * 1000 + POLL_MARGIN_MS);
    if (response.status !== 200) {
      throw await failureFrom(response, action, (status) => this.advice(status));
    }
    return { ...(await readBatchResponse(response, action)), location };
  }

  private async send(url: URL, init: RequestInit, action: string, timeoutMs: number) {
    const response = await sendWithRetry(url, init, {
      policy: this.policy,
      timeoutMs,
      retryNetworkErrors: this.respondedOnce,
      action,
      onRetry: this.onRetry,
    });
    this.respondedOnce = true;
    return response;
  }

  private authorization(): Record<string, string> {
    return { authorization: `ApiKey ${this.target.username}:${this.target.apiKey}` };
  }

  private advice(status: number): string {
    const domain = this.target.domain;
    if (status === 400) return 'fix the values named and run the command again';
    if (status === 401) return 'check REINSTALL_API_USER and REINSTALL_API_KEY (or --user, --key)';
    if (status === 403) return 'fix what the service names, then run the command again';
    if (status === 404) return `check the project name ${domain} and --url`;
    if (status === 413) return 'lower --chunk-size';
    if (status >= 500) return 'try again later';
    return `check that --url ${this.target.baseUrl} is the reinstall service`;
  }
}

async function readBatchResponse(response: Response, action: string): Promise<BatchResponse> {
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = null;
  }
  const batch = toBatchResponse(body, response.headers.get('location'));
  if (!batch) {
    throw new ServiceError(
      `${action} returned HTTP ${response.status} without the batch lists; ` +
        'check that --url is the reinstall service',
      response.status,
    );
  }
  return batch;
}

/**
 * Reads a 202 or polled body, or the 200 body, which has only the three settled lists.
 * Returns null for any other shape.
 */
export function toBatchResponse(body: unknown, location: string | null): BatchResponse | null {
  if (typeof body !== 'object' || body === null) return null;
  const fields = body as Record<string, unknown>;
  const success = stringList(fields.success_numbers);
  const invalid = stringList(fields.invalid_format_numbers);
  const error = stringList(fields.error_numbers);
  const pending = fields.pending_numbers === undefined ? [] : stringList(fields.pending_numbers);
  if (!success || !invalid || !error || !pending) return null;

  const batchId = typeof fields.batch_id === 'string' ? fields.batch_id : null;
  const status = fields.status ?? (pending.length === 0 ? 'settled' : 'pending');
  if (status !== 'settled' && status !== 'pending') return null;
  return {
    batchId,
    location,
    settled: status === 'settled',
    lists: {
      success_numbers: success,
      invalid_format_numbers: invalid,
      error_numbers: error,
      pending_numbers: pending,
    },
  };
}

function stringList(value: unknown): string[] | null {
  if (!Array.isArray(value)) return null;
  return value.every((item) => typeof item === 'string') ? value : null;
}
