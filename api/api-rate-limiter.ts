import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { RedisKeys } from '../shared/redis-keys.js';
import { HttpError } from './http-error.js';

const WINDOW_MS = 60_000;

/**
 * Sliding-log limit, run atomically in Redis. The sorted set holds one member
 * per accepted request, scored by its time in milliseconds. The script drops
 * members older than the window, then accepts the request only while fewer
 * than the limit remain. Rejected requests are not logged, so a client that
 * keeps retrying is admitted again as soon as its oldest request leaves the
 * window. The clock is Redis's TIME, shared by every API process, so clock
 * skew between API hosts cannot widen the window. Scripts that call TIME and
 * then write need Redis 5 or later, which replicates the script's effects.
 *
 * KEYS[1]: the key's log. ARGV: limit, window in ms, a unique member.
 * Returns {1, remaining} when accepted, {0, ms until the oldest member leaves} when not.
 */
const SLIDING_LOG_SCRIPT = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
if count < limit then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], window)
  return {1, limit - count - 1}
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return {0, tonumber(oldest[2]) + window - now}
`;

type SlidingLogCommand = (
  key: string,
  limit: number,
  windowMs: number,
  member: string,
) => Promise<[number, number]>;

/**
 * Per-API-key request limit over a sliding minute, shared through Redis by
 * every API process. The log holds up to `perMinute` members per key, about
 * 100 bytes each in Redis.
 */
export class ApiRateLimiter {
  private readonly slidingLog: SlidingLogCommand;

  constructor(
    redis: Redis,
    private readonly keys: RedisKeys,
    readonly perMinute: number,
  ) {
    // defineCommand sends the script by its SHA1 (EVALSHA) and loads it on first use.
    redis.defineCommand('apiRateSlidingLog', { numberOfKeys: 1, lua: SLIDING_LOG_SCRIPT });
    const commands = redis as unknown as { apiRateSlidingLog: SlidingLogCommand };
    this.slidingLog = commands.apiRateSlidingLog.bind(redis);
  }

  /**
   * Counts one request of the key, or throws a 429 HttpError with
   * Retry-After when the key already made `perMinute` requests in the last 60 s.
   */
  async consume(apiKeyId: string): Promise<void> {
    const member = randomBytes(8).toString('hex');
    const logKey = this.keys.apiRate(apiKeyId);
    const [accepted, value] = await this.slidingLog(logKey, this.perMinute, WINDOW_MS, member);
    if (accepted === 1) return;
    const retryAfterSeconds = Math.max(1, Math.ceil(value / 1000));
    throw HttpError.error(
      429,
      'rate_limited',
      `rate limit exceeded: at most ${this.perMinute} requests per minute per API key; ` +
        `retry after ${retryAfterSeconds} seconds`,
      { 'Retry-After': String(retryAfterSeconds) },
    );
  }
}
