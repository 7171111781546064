import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { ApiKeyStore } from '../shared/api-key-store.js';
import { AppInfoSigner, loadSigningKey } from '../shared/app-info-signer.js';
import { BatchStore } from '../shared/batch-store.js';
import type { Config } from '../shared/config.js';
import { throttledErrorLog, type Logger } from '../shared/logger.js';
import { connectFailFast, connectPersistent } from '../shared/redis-connection.js';
import { RedisKeys } from '../shared/redis-keys.js';
import { Registry } from '../shared/registry.js';
import { SmsLog } from '../shared/sms-log.js';
import { BatchPlanStore } from '../shared/batch-plan.js';
import {
  FAN_OUT_QUEUE,
  REINSTALL_QUEUE,
  type FanOutJobData,
  type ReinstallJobData,
} from '../shared/reinstall-job.js';
import { BatchWaiter } from './batch-waiter.js';
import { ApiMetrics } from './metrics.js';
import type { WebhookDeps } from './webhooks.route.js';
import { GatewayFaultStore } from '../shared/gateway-fault.js';
import { DeliveryMetrics } from '../shared/delivery-metrics.js';
import { IdempotencyStore } from './idempotency-store.js';
import type { OperatorCredentials } from './operator-auth.js';
import type { ReinstallDeps } from './reinstall-deps.js';

/**
 * What the API process holds open. However many requests are waiting, it
 * uses two Redis connections: one for commands (shared with the queue) and
 * one subscribed to batch events.
 */
export interface ApiServices {
  redis: Redis;
  subscriber: Redis;
  queue: Queue<ReinstallJobData>;
  fanOutQueue: Queue<FanOutJobData>;
  registry: Registry;
  signer: AppInfoSigner;
  /** Operator dashboard credentials, undefined while OPERATOR_PASSWORD is unset. */
  operator?: OperatorCredentials;
  reinstall: ReinstallDeps;
  metrics: ApiMetrics;
  faults: GatewayFaultStore;
  webhooks: Omit<WebhookDeps, 'logger'>;
  close(): Promise<void>;
}

export function createApiServices(config: Config, logger: Logger): ApiServices {
  const keys = new RedisKeys(config.keyPrefix);
  const redis = connectFailFast(config.redisUrl, { connectionName: `${config.keyPrefix}:api` });
  const subscriber = connectPersistent(config.redisUrl, { connectionName: `${config.keyPrefix}:api-events` });
  for (const connection of [redis, subscriber]) {
    connection.on('error', throttledErrorLog(logger, 'redis connection error'));
  }

  const queue = new Queue<ReinstallJobData>(REINSTALL_QUEUE, { connection: redis, prefix: keys.bullPrefix });
  const fanOutQueue = new Queue<FanOutJobData>(FAN_OUT_QUEUE, { connection: redis, prefix: keys.bullPrefix });
  for (const q of [queue, fanOutQueue]) q.on('error', throttledErrorLog(logger, 'queue error'));
  const registry = new Registry(redis, keys);
  const batches = new BatchStore(redis, keys, config.batchRetentionSeconds);
  const waiter = new BatchWaiter(subscriber, batches, keys.batchSettledChannel(), logger);
  const faults = new GatewayFaultStore(redis, keys, config.faultRecheckMs);
  const metrics = new ApiMetrics({ queue, waiter, faults, delivery: new DeliveryMetrics(redis, keys) });
  const smsLog = new SmsLog(redis, keys, config.batchRetentionSeconds);

  return {
    redis,
    subscriber,
    queue,
    fanOutQueue,
    registry,
    signer: new AppInfoSigner(loadSigningKey(config)),
    metrics,
    faults,
    webhooks: { secret: config.webhookSecret, batches, queue, registry, smsLog },
    operator: config.operatorPassword
      ? { user: config.operatorUser, password: config.operatorPassword }
      : undefined,
    reinstall: {
      apiKeys: new ApiKeyStore(redis, keys),
      registry,
      batches,
      plans: new BatchPlanStore(redis, keys, config.batchRetentionSeconds),
      queue,
      fanOutQueue,
      waiter,
      idempotency: new IdempotencyStore(redis, keys, config.batchRetentionSeconds),
      smsLog,
      maxPollWaitSeconds: config.maxPollWaitSeconds,
      playStoreUrl: config.playStoreUrl,
      publicBaseUrl: config.publicBaseUrl,
      sendAttempts: config.sendAttempts,
      retryBaseDelayMs: config.retryBaseDelayMs,
      limits: { maxUsers: config.maxUsersPerRequest, maxReinstallMessageLength: config.maxReinstallMessageLength },
      maxBodyBytes: config.maxBodyBytes,
      syncWaitMs: config.syncWaitMs,
    },
    async close() {
      await Promise.all([queue.close(), fanOutQueue.close()]);
      redis.disconnect();
      subscriber.disconnect();
    },
  };
}
