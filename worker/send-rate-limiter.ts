import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';

/**
 * Reserves the next send slot, by Redis's clock, and returns how many
 * milliseconds the caller must wait for it. Slots are `interval` apart (a
 * generic cell rate algorithm), so sends are spread evenly instead of going
 * out in bursts: no rolling window of `limit * interval` milliseconds ever
 * holds more than `limit` sends. A fixed-window counter, by contrast, lets
 * twice the limit through around a window edge.
 */
const RESERVE_SCRIPT = `
local now_parts = redis.call('TIME')
local now = tonumber(now_parts[1]) * 1000 + tonumber(now_parts[2]) / 1000
local interval = tonumber(ARGV[1])
local next_free = tonumber(redis.call('GET', KEYS[1]) or '0')
local slot = math.max(now, next_free)
redis.call('SET', KEYS[1], tostring(slot + interval), 'PX', math.ceil(slot + interval - now) + 1000)
return tostring(slot - now)
`;

export interface RateLimiterOptions {
  /** Sends allowed per second by every worker together; 0 turns the limiter off. */
  perSecond: number;
  /**
   * Added to each second, because a send reaches the gateway a little after
   * its slot, and uneven delays could otherwise put one send too many into
   * a second as the gateway counts it. The rate achieved is
   * `perSecond * 1000 / (1000 + marginMs)`.
   */
  marginMs: number;
}

/** A rate limit shared by all workers through one Redis key. */
export class SendRateLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly key: string,
    private readonly options: RateLimiterOptions,
  ) {
    redis.defineCommand('reserveSendSlot', { numberOfKeys: 1, lua: RESERVE_SCRIPT });
  }

  /** Resolves when this process may send one SMS. */
  async acquire(): Promise<void> {
    if (this.options.perSecond <= 0) return;
    const intervalMs = (1000 + this.options.marginMs) / this.options.perSecond;
    const waitMs = Number(await (this.redis as LimiterRedis).reserveSendSlot(this.key, String(intervalMs)));
    if (waitMs > 0) await sleep(waitMs);
  }
}

type LimiterRedis = Redis & {
  reserveSendSlot(key: string, intervalMs: string): Promise<string>;
};
