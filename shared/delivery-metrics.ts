import type { ChainableCommander, Redis } from 'ioredis';
import type { RedisKeys } from './redis-keys.js';

/** Upper bounds, in seconds, of the batch settle-time histogram buckets. */
export const SETTLE_BUCKETS = [0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600] as const;

export interface SmsCount {
  result: 'sent' | 'failed';
  /** Vonage status code ("0" when sent), `http-<status>`, `timeout` or `unreachable`. */
  statusCode: string;
  count: number;
}

export interface SettleHistogram {
  /** Cumulative counts per bucket bound, in SETTLE_BUCKETS order. */
  buckets: number[];
  count: number;
  sum: number;
}

/**
 * Delivery counters kept in Redis, so that every worker adds to the same
 * figures and any API process can expose them.
 */
export class DeliveryMetrics {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  /** Queues the count of one send attempt on `multi`. */
  queueCountSms(multi: ChainableCommander, result: SmsCount['result'], statusCode: string): void {
    multi.hincrby(this.keys.metrics('sms'), `${result}|${statusCode}`, 1);
  }

  async observeBatchSettled(seconds: number): Promise<void> {
    const bucket = SETTLE_BUCKETS.find((bound) => seconds <= bound);
    await this.redis
      .multi()
      .hincrby(this.keys.metrics('batch-settle'), `le|${bucket ?? '+Inf'}`, 1)
      .hincrby(this.keys.metrics('batch-settle'), 'count', 1)
      .hincrbyfloat(this.keys.metrics('batch-settle'), 'sum', seconds)
      .exec();
  }

  async smsCounts(): Promise<SmsCount[]> {
    const fields = await this.redis.hgetall(this.keys.metrics('sms'));
    return Object.entries(fields).map(([field, value]) => {
      const [result, statusCode] = field.split('|');
      return { result: result as SmsCount['result'], statusCode, count: Number(value) };
    });
  }

  async settleHistogram(): Promise<SettleHistogram> {
    const fields = await this.redis.hgetall(this.keys.metrics('batch-settle'));
    let running = 0;
    const buckets = SETTLE_BUCKETS.map((bound) => (running += Number(fields[`le|${bound}`] ?? 0)));
    return { buckets, count: Number(fields.count ?? 0), sum: Number(fields.sum ?? 0) };
  }
}
