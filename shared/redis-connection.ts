import { Redis, type RedisOptions } from 'ioredis';

export class RedisUnavailableError extends Error {
  override name = 'RedisUnavailableError';
  readonly code = 'redis_unavailable';
}

/**
 * Opens a connection that fails commands at once while Redis is down, for
 * request handlers that must answer 503 rather than hang.
 */
export function connectFailFast(url: string, options: RedisOptions = {}): Redis {
  return new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    retryStrategy: (times) => Math.min(times * 200, 2000),
    ...options,
  });
}

/** Opens a connection for BullMQ workers and blocking commands, which must wait out outages. */
export function connectPersistent(url: string, options: RedisOptions = {}): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: null,
    retryStrategy: (times) => Math.min(times * 200, 2000),
    ...options,
  });
}

/** Resolves once Redis answers PING, or rejects with a clear message after `timeoutMs`. */
export async function assertRedisReachable(url: string, timeoutMs = 3000): Promise<void> {
  const probe = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: timeoutMs,
    retryStrategy: () => null,
    // ioredis waits 2 s by default before giving up a closed connection,
    // which would delay the exit after a failed probe.
    disconnectTimeout: 0,
  });
  // The socket error (ECONNREFUSED, ENOTFOUND, ...) says more than the
  // "Connection is closed" that connect() then rejects with.
  let socketError: Error | undefined;
  probe.on('error', (error: Error) => (socketError ??= error));
  try {
    await probe.connect();
    await probe.ping();
  } catch (error) {
    const cause = socketError ?? error;
    const reason = cause instanceof Error ? cause.message : String(cause);
    const where = redactUrl(url);
    throw new RedisUnavailableError(
      `cannot reach Redis at ${where} (${reason}); start Redis or set REDIS_URL`,
    );
  } finally {
    probe.disconnect();
  }
}

/** Drops the password from a Redis URL so it can be shown in messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable REDIS_URL)';
  }
}
