import express, { Router, type Request, type Response } from 'express';
import type { ApiRateLimiter } from './api-rate-limiter.js';
import { requireProjectAccess, type AuthenticatedLocals } from './authenticate.js';
import { registerBatchRoutes } from './batch.route.js';
import { rejectForbiddenKeys } from './forbidden-keys.js';
import { HttpError } from './http-error.js';
import { registerSmsLogRoute } from './sms-log.route.js';
import { readBoolean } from './query-params.js';
import type { ReinstallDeps } from './reinstall-deps.js';
import { handleSubmission, type ApiAnswer } from './submission.handler.js';

/** The first API version that has this endpoint. */
const FIRST_VERSION = [0, 5];

/** Accepts `v0_5` and later versions (`v0_6`, `v1`, `v1_2`, ...). */
export function isSupportedVersion(version: string): boolean {
  const match = /^v(0|[1-9]\d{0,3})(?:_(0|[1-9]\d{0,3}))?$/.exec(version);
  if (!match) return false;
  const major = Number(match[1]);
  const minor = Number(match[2] ?? 0);
  return major > FIRST_VERSION[0] || (major === FIRST_VERSION[0] && minor >= FIRST_VERSION[1]);
}

export const REINSTALL_PATH = '/a/:domain/api/:version/sms_user_registration_reinstall';

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/**
 * Routes of the reinstall endpoint: submission, and reading batches back.
 * Every route authenticates, then counts the request against its API key's
 * rate limit, before it reads a body.
 */
export function reinstallRouter(deps: ReinstallDeps, rateLimiter: ApiRateLimiter): Router {
  const router = Router();
  // Clients often leave out Content-Type; the body is parsed as JSON whatever type it declares.
  const jsonBody = express.json({ limit: deps.maxBodyBytes, type: () => true, strict: false });
  const access = requireProjectAccess(deps.apiKeys, deps.registry, rateLimiter);

  router.param('version', (_req, _res, next, version: string) => {
    if (!isSupportedVersion(version)) {
      throw HttpError.error(404, 'unknown_version', `API version ${version} has no reinstall endpoint; use v0_5 or later`);
    }
    next();
  });

  router.post(REINSTALL_PATH, access, jsonBody, rejectForbiddenKeys, async (req, res) => {
    const { project } = res.locals as AuthenticatedLocals;
    const answer = await handleSubmission(deps, project, req.body, {
      dryRun: readBoolean(req.query.dry_run, 'dry_run'),
      respondAsync: prefersAsync(req),
      idempotencyKey: idempotencyKey(req),
      batchPath: (batchId) => batchPath(req, batchId),
    });
    sendAnswer(res, answer);
  });

  registerBatchRoutes(router, deps, access);
  registerSmsLogRoute(router, deps.smsLog, access);
  return router;
}

export function sendAnswer(res: Response, answer: ApiAnswer): void {
  res.status(answer.status).set(answer.headers ?? {});
  if (answer.text !== undefined) res.type('application/json').send(answer.text);
  else res.json(answer.body);
}

function prefersAsync(req: Request): boolean {
  const prefer = req.get('prefer') ?? '';
  return prefer.split(/[,;]/).some((token) => token.trim().toLowerCase() === 'respond-async');
}

function idempotencyKey(req: Request): string | undefined {
  const key = req.get('idempotency-key');
  if (key === undefined) return undefined;
  if (!IDEMPOTENCY_KEY.test(key)) {
    throw HttpError.fields({
      'Idempotency-Key': 'Idempotency-Key must be 1-255 visible ASCII characters, such as a UUID',
    });
  }
  return key;
}

function batchPath(req: Request, batchId: string): string {
  const { domain, version } = req.params;
  return `/a/${encodeURIComponent(String(domain))}/api/${version}/sms_user_registration_reinstall/batches/${batchId}/`;
}
