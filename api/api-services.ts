import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { ApiKeyStore } from '../shared/api-key-store.js';
import { AppInfoSigner, loadSigningKey } from '../shared/app-info-signer.js';
import { BatchStore } from '../shared/batch-store.js';
import type { Config } from '../shared/config.js';
import type { Logger } from '../shared/logger.js';
import { connectFailFast, connectPersistent } from '../shared/redis-connection.js';
import { RedisKeys } from '../shared/redis-keys.js';
import { Registry } from '../shared/registry.js';
import { REINSTALL_QUEUE, type ReinstallJobData } from '../shared/reinstall-job.js';
import { BatchWaiter } from './batch-waiter.js';
import type { ReinstallRouteDeps } from './reinstall.route.js';

/**
 * What the API process holds open. However many requests are waiting, it
 * uses two Redis connections: one for commands (shared with the queue) and
 * one subscribed to batch events.
 */
export interface ApiServices {
  redis: Redis;
  subscriber: Redis;
  queue: Queue<ReinstallJobData>;
  registry: Registry;
  signer: AppInfoSigner;
  reinstall: ReinstallRouteDeps;
  close(): Promise<void>;
}

export function createApiServices(config: Config, logger: Logger): ApiServices {
  const keys = new RedisKeys(config.keyPrefix);
  const redis = connectFailFast(config.redisUrl, { connectionName: `${config.keyPrefix}:api` });
  const subscriber = connectPersistent(config.redisUrl, { connectionName: `${config.keyPrefix}:api-events` });
  for (const connection of [redis, subscriber]) {
    connection.on('error', (error: Error) => logger.warn({ err: error.message }, 'redis connection error'));
  }

  const queue = new Queue<ReinstallJobData>(REINSTALL_QUEUE, { connection: redis, prefix: keys.bullPrefix });
  queue.on('error', (error: Error) => logger.warn({ err: error.message }, 'queue error'));
  const registry = new Registry(redis, keys);
  const batches = new BatchStore(redis, keys, config.batchRetentionSeconds);
  const waiter = new BatchWaiter(subscriber, batches, keys.batchSettledChannel(), logger);

  return {
    redis,
    subscriber,
    queue,
    registry,
    signer: new AppInfoSigner(loadSigningKey(config)),
    reinstall: {
      apiKeys: new ApiKeyStore(redis, keys),
      registry,
      batches,
      queue,
      waiter,
      playStoreUrl: config.playStoreUrl,
      publicBaseUrl: config.publicBaseUrl,
      sendAttempts: config.sendAttempts,
      retryBaseDelayMs: config.retryBaseDelayMs,
      limits: { maxUsers: config.maxUsersPerRequest, maxReinstallMessageLength: config.maxReinstallMessageLength },
      maxBodyBytes: config.maxBodyBytes,
      syncWaitMs: config.syncWaitMs,
    },
    async close() {
      await queue.close();
      redis.disconnect();
      subscriber.disconnect();
    },
  };
}
