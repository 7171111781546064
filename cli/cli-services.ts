import type { Redis } from 'ioredis';
import { ApiKeyStore } from '../shared/api-key-store.js';
import { loadConfig, type Config } from '../shared/config.js';
import { RedisKeys } from '../shared/redis-keys.js';
import {
  assertRedisReachable,
  connectFailFast,
  redactUrl,
  RedisUnavailableError,
} from '../shared/redis-connection.js';
import { Registry } from '../shared/registry.js';
import { isExpectedError } from './cli-error.js';

export interface CliServices {
  config: Config;
  registry: Registry;
  apiKeys: ApiKeyStore;
}

/**
 * Runs `task` against the registry and API key store, then closes the Redis connection so that
 * the process exits on its own. Redis is checked with a PING first, so an unreachable server
 * fails within seconds instead of hanging.
 */
export async function withServices<T>(task: (services: CliServices) => Promise<T>): Promise<T> {
  const config = loadConfig();
  await assertRedisReachable(config.redisUrl);

  // The offline queue keeps the first commands until the connection is ready. If Redis goes
  // away later, commands fail after one retry instead of waiting for it to come back.
  const redis = connectFailFast(config.redisUrl, { enableOfflineQueue: true });
  // Failed commands reject with the error themselves. Without a listener, ioredis would also
  // print each connection error to stderr.
  redis.on('error', () => undefined);

  const keys = new RedisKeys(config.keyPrefix);
  try {
    return await task({
      config,
      registry: new Registry(redis, keys),
      apiKeys: new ApiKeyStore(redis, keys),
    });
  } catch (error) {
    throw explainLostConnection(error, redis, config.redisUrl);
  } finally {
    await close(redis);
  }
}

/**
 * Turns the error of a command that failed because the connection dropped into a one-line
 * RedisUnavailableError. ioredis's own errors for this carry no `code`, so without this they
 * would print as bugs, with a stack.
 */
function explainLostConnection(error: unknown, redis: Redis, url: string): unknown {
  if (isExpectedError(error) || redis.status === 'ready') return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new RedisUnavailableError(
    `lost the connection to Redis at ${redactUrl(url)} (${reason}); ` +
      'check that Redis is running, then run the command again',
  );
}

async function close(redis: Redis): Promise<void> {
  if (redis.status !== 'ready') {
    redis.disconnect();
    return;
  }
  try {
    await redis.quit();
  } catch {
    redis.disconnect();
  }
}
