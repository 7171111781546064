import { batchLists, type Batch } from '../shared/batch-store.js';
import type { Project } from '../shared/registry.js';
import { batchView } from './batch-views.js';
import { dryRunView } from './dry-run-view.js';
import { hqJson } from './hq-json.js';
import { HttpError } from './http-error.js';
import { hashRequest } from './idempotency-store.js';
import { planReinstall } from './plan-reinstall.js';
import type { ReinstallDeps } from './reinstall-deps.js';
import { parseReinstallRequest, type ReinstallRequestDto } from './reinstall-request.dto.js';
import { submitPlan } from './submit-reinstall.js';

export interface SubmissionOptions {
  dryRun: boolean;
  /** `Prefer: respond-async`: answer 202 without waiting. */
  respondAsync: boolean;
  idempotencyKey?: string;
  /** Builds the path at which a batch can be polled. */
  batchPath: (batchId: string) => string;
}

/** An HTTP answer, independent of Express: JSON `body`, or preformatted JSON `text`. */
export interface ApiAnswer {
  status: number;
  body?: unknown;
  text?: string;
  headers?: Record<string, string>;
}

/**
 * Handles one reinstall submission: validates it, then either describes
 * what it would send (dry run), replays the batch of an earlier request
 * with the same Idempotency-Key, or creates a batch, and answers once the
 * batch settles or the wait ends.
 */
export async function handleSubmission(
  deps: ReinstallDeps,
  project: Project,
  body: unknown,
  options: SubmissionOptions,
): Promise<ApiAnswer> {
  const request = await parseReinstallRequest(body, deps.limits);
  if (options.dryRun) {
    return { status: 200, body: dryRunView(await planReinstall(deps, project, request)) };
  }
  const { batch, replayed } = options.idempotencyKey
    ? await submitOnce(deps, project, request, options.idempotencyKey)
    : { batch: await submit(deps, project, request), replayed: false };

  const answer = await answerWhenSettled(deps, batch, options);
  if (replayed) answer.headers = { ...answer.headers, 'Idempotent-Replayed': 'true' };
  return answer;
}

async function submit(deps: ReinstallDeps, project: Project, request: ReinstallRequestDto): Promise<Batch> {
  return submitPlan(deps, project.domain, await planReinstall(deps, project, request));
}

async function submitOnce(
  deps: ReinstallDeps,
  project: Project,
  request: ReinstallRequestDto,
  key: string,
): Promise<{ batch: Batch; replayed: boolean }> {
  const bodyHash = hashRequest(request);
  const claim = await deps.idempotency.claim(project.domain, key, bodyHash);
  if (claim.kind === 'mismatch') {
    throw HttpError.error(422, 'idempotency_key_reused', 'this Idempotency-Key was used with a different body; send a new key for a new request');
  }
  if (claim.kind === 'in_flight') {
    throw HttpError.error(409, 'idempotency_key_in_flight', 'a request with this Idempotency-Key is still being accepted; retry shortly', {
      'Retry-After': '1',
    });
  }
  if (claim.kind === 'replay') {
    const batch = await deps.batches.get(claim.batchId);
    if (batch) return { batch, replayed: true };
  }

  try {
    const batch = await submit(deps, project, request);
    await deps.idempotency.complete(project.domain, key, bodyHash, batch.id);
    return { batch, replayed: false };
  } catch (error) {
    await deps.idempotency.release(project.domain, key).catch(() => undefined);
    throw error;
  }
}

async function answerWhenSettled(deps: ReinstallDeps, batch: Batch, options: SubmissionOptions): Promise<ApiAnswer> {
  let current = batch;
  if (current.state === 'pending') {
    const settled = await deps.waiter.waitForSettled(batch.id, options.respondAsync ? 0 : deps.syncWaitMs);
    // An async response describes the batch as just created unless it has
    // already settled. This spares a large batch a read of every number.
    if (settled || !options.respondAsync) current = (await deps.batches.get(batch.id)) ?? batch;
  }
  if (current.state === 'settled') {
    const { pending_numbers: _none, ...lists } = batchLists(current);
    return { status: 200, text: hqJson(lists) };
  }
  return { status: 202, body: batchView(current), headers: { Location: options.batchPath(batch.id) } };
}
