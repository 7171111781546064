import { createHash, timingSafeEqual } from 'node:crypto';
import express, { Router, type Request, type RequestHandler } from 'express';
import type { Queue } from 'bullmq';
import type { BatchStore } from '../shared/batch-store.js';
import { maskNumber, type Logger } from '../shared/logger.js';
import type { Registry } from '../shared/registry.js';
import { parseClientRef, reinstallJobId, type ReinstallJobData } from '../shared/reinstall-job.js';
import type { SmsLog } from '../shared/sms-log.js';
import { HttpError } from './http-error.js';

export interface WebhookDeps {
  secret?: string;
  batches: BatchStore;
  queue: Queue<ReinstallJobData>;
  registry: Registry;
  smsLog: SmsLog;
  logger: Logger;
}

/** Keywords of an inbound SMS that opt its sender out, as carriers use them. */
const STOP_KEYWORDS = new Set(['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT']);

/**
 * Vonage's webhooks: delivery receipts and inbound SMS, as GET or POST with a
 * JSON or form body. Vonage cannot send custom headers, so the operator's
 * secret travels as the `secret` query parameter (masked in request logs).
 * They return 204 even for receipts they cannot use, since any other status
 * makes Vonage retry.
 */
export function webhooksRouter(deps: WebhookDeps): Router {
  const router = Router();
  const parse = [express.json({ limit: '16kb' }), express.urlencoded({ extended: false, limit: '16kb' })];
  const receipt: RequestHandler = async (req, res) => {
    await recordReceipt(deps, fields(req));
    res.status(204).end();
  };
  const inbound: RequestHandler = async (req, res) => {
    await handleInbound(deps, fields(req));
    res.status(204).end();
  };
  router.all('/webhooks/vonage/delivery-receipt', requireSecret(deps.secret), ...parse, receipt);
  router.all('/webhooks/vonage/inbound', requireSecret(deps.secret), ...parse, inbound);
  return router;
}

function requireSecret(secret: string | undefined): RequestHandler {
  const expected = secret ? createHash('sha256').update(secret).digest() : null;
  return (req, _res, next) => {
    if (!expected) {
      throw HttpError.error(404, 'webhooks_disabled', 'webhooks are disabled; set WEBHOOK_SECRET to enable them');
    }
    const given = createHash('sha256').update(String(req.query.secret ?? '')).digest();
    if (!timingSafeEqual(given, expected)) {
      throw HttpError.error(401, 'unauthorized', 'the webhook secret is missing or wrong');
    }
    next();
  };
}

/** Webhook fields from the body, or from the query string of a GET. */
function fields(req: Request): Record<string, string> {
  const source = req.method === 'GET' ? req.query : (req.body as unknown);
  const result: Record<string, string> = {};
  if (source && typeof source === 'object') {
    for (const [key, value] of Object.entries(source)) {
      if (typeof value === 'string' || typeof value === 'number') result[key] = String(value);
    }
  }
  return result;
}

async function recordReceipt(deps: WebhookDeps, receipt: Record<string, string>): Promise<void> {
  const ref = parseClientRef(receipt['client-ref'] ?? '');
  const status = (receipt.status ?? '').toLowerCase();
  if (!ref || !status || !receipt.messageId) {
    deps.logger.warn({ clientRef: receipt['client-ref'] ?? null }, 'delivery receipt without a usable client-ref, status or messageId');
    return;
  }
  const applied = await deps.batches.putReceipt(ref.batchId, ref.index, ref.step, {
    status,
    messageId: receipt.messageId,
    errorCode: receipt['err-code'] ?? '',
    receivedAt: new Date().toISOString(),
  });
  deps.logger.debug({ batchId: ref.batchId, index: ref.index, step: ref.step + 1, status, applied }, 'delivery receipt');

  // A job waiting for this receipt runs again now rather than at its next check.
  const job = await deps.queue.getJob(reinstallJobId(ref.batchId, ref.index));
  if (job && (await job.isDelayed())) await job.promote().catch(() => undefined);
}

async function handleInbound(deps: WebhookDeps, message: Record<string, string>): Promise<void> {
  const digits = (message.msisdn ?? '').replace(/\D/g, '');
  const keyword = (message.keyword || (message.text ?? '').trim().split(/\s+/)[0] || '').toUpperCase();
  if (!digits || !STOP_KEYWORDS.has(keyword)) return;

  const [owner] = await deps.registry.getWorkers([digits]);
  const lastSender = await deps.smsLog.lastSender(digits);
  const domains = new Set([owner?.domain, lastSender].filter((domain): domain is string => Boolean(domain)));
  for (const domain of domains) await deps.registry.addOptOut(domain, digits);
  deps.logger.info({ from: maskNumber(digits), keyword, projects: [...domains] }, 'inbound STOP; number opted out');
}
