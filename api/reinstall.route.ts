import express, { Router, type Request } from 'express';
import type { ApiKeyStore } from '../shared/api-key-store.js';
import { batchLists, type Batch, type BatchStore } from '../shared/batch-store.js';
import type { Registry } from '../shared/registry.js';
import { requireProjectAccess, type AuthenticatedLocals } from './authenticate.js';
import type { BatchWaiter } from './batch-waiter.js';
import { HttpError } from './http-error.js';
import { hqJson } from './hq-json.js';
import { parseReinstallRequest, type RequestLimits } from './reinstall-request.dto.js';
import { submitReinstall, type SubmitDeps } from './submit-reinstall.js';

export interface ReinstallRouteDeps extends SubmitDeps {
  apiKeys: ApiKeyStore;
  registry: Registry;
  batches: BatchStore;
  waiter: BatchWaiter;
  limits: RequestLimits;
  maxBodyBytes: number;
  syncWaitMs: number;
}

/** The first API version that has this endpoint. */
const FIRST_VERSION = [0, 5];

/** Accepts `v0_5` and later versions (`v0_6`, `v1`, `v1_2`, ...). */
export function isSupportedVersion(version: string): boolean {
  const match = /^v(\d{1,4})(?:_(\d{1,4}))?$/.exec(version);
  if (!match) return false;
  const major = Number(match[1]);
  const minor = Number(match[2] ?? 0);
  return major > FIRST_VERSION[0] || (major === FIRST_VERSION[0] && minor >= FIRST_VERSION[1]);
}

const BASE = '/a/:domain/api/:version/sms_user_registration_reinstall';

/** Routes of the reinstall endpoint: submission, and reading a batch back. */
export function reinstallRouter(deps: ReinstallRouteDeps): Router {
  const router = Router();
  // Clients often leave out Content-Type; the body is parsed as JSON whatever it says.
  const jsonBody = express.json({ limit: deps.maxBodyBytes, type: () => true, strict: false });
  const access = requireProjectAccess(deps.apiKeys, deps.registry);

  router.param('version', (req, _res, next, version: string) => {
    if (!isSupportedVersion(version)) {
      throw HttpError.error(404, 'unknown_version', `API version ${version} has no reinstall endpoint; use v0_5 or later`);
    }
    next();
  });

  router.post(BASE, access, jsonBody, async (req, res) => {
    const { project } = res.locals as AuthenticatedLocals;
    const request = parseReinstallRequest(req.body, deps.limits);
    const batch = await submitReinstall(deps, project, request);

    if (batch.state === 'pending') {
      await deps.waiter.waitForSettled(batch.id, prefersAsync(req) ? 0 : deps.syncWaitMs);
    }
    const current = batch.state === 'settled' ? batch : await deps.batches.get(batch.id);
    if (!current) throw new Error(`batch ${batch.id} vanished right after it was created`);

    if (current.state === 'settled') {
      const { pending_numbers: _none, ...lists } = batchLists(current);
      res.status(200).type('application/json').send(hqJson(lists));
      return;
    }
    res.status(202).location(batchPath(req, batch.id)).json(batchView(current));
  });

  router.get(`${BASE}/batches/:batchId`, access, async (req, res) => {
    const { project } = res.locals as AuthenticatedLocals;
    const batch = await deps.batches.get(String(req.params.batchId));
    if (!batch || batch.domain !== project.domain) {
      throw HttpError.error(404, 'batch_not_found', `batch ${req.params.batchId} does not exist in project ${project.domain}`);
    }
    res.status(200).json(batchView(batch));
  });

  return router;
}

function prefersAsync(req: Request): boolean {
  const prefer = req.get('prefer') ?? '';
  return prefer.split(/[,;]/).some((token) => token.trim().toLowerCase() === 'respond-async');
}

function batchPath(req: Request, batchId: string): string {
  const { domain, version } = req.params;
  return `/a/${encodeURIComponent(String(domain))}/api/${version}/sms_user_registration_reinstall/batches/${batchId}/`;
}

/** A batch as polled: its id and state, and the three lists plus the numbers still pending. */
export function batchView(batch: Batch) {
  return { batch_id: batch.id, status: batch.state, ...batchLists(batch) };
}

