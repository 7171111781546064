import { Router } from 'express';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { GatewayFaultStore } from '../shared/gateway-fault.js';
import type { ApiMetrics } from './metrics.js';

/** Maximum time a readiness probe waits for Redis, in milliseconds. */
const PROBE_TIMEOUT_MS = 1000;

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Serves `/healthz` (the process is alive), `/readyz` (Redis responds,
 * workers are connected and no gateway account fault pauses sending) and
 * `/metrics`.
 */
export function healthRouter(redis: Redis, queue: Queue, metrics: ApiMetrics, faults: GatewayFaultStore): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  router.get('/readyz', async (_req, res) => {
    const checks: { redis: string; workers: number; gateway: string } = { redis: 'ok', workers: 0, gateway: 'ok' };
    try {
      await withTimeout(redis.ping(), PROBE_TIMEOUT_MS);
      checks.workers = await withTimeout(queue.getWorkersCount(), PROBE_TIMEOUT_MS);
      const fault = await withTimeout(faults.current(), PROBE_TIMEOUT_MS);
      if (fault) checks.gateway = `account fault: status ${fault.status} (${fault.errorText}) since ${fault.since}`;
    } catch (error) {
      checks.redis = `unreachable: ${(error as Error).message}`;
    }
    const ready = checks.redis === 'ok' && checks.workers > 0 && checks.gateway === 'ok';
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not_ready', ...checks });
  });

  router.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.render());
  });
  return router;
}
