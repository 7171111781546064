import type { ChainableCommander, Redis } from 'ioredis';
import type { RedisKeys } from './redis-keys.js';
import { lastReplyIndex } from './redis-transaction.js';

/**
 * Vonage statuses that concern the account, not the message: invalid
 * credentials (4), a barred account (8) and an empty balance (9). Every
 * message would fail the same way, so sending pauses instead.
 */
export const ACCOUNT_FAULT_STATUSES: ReadonlySet<string> = new Set(['4', '8', '9']);

export interface GatewayFault {
  status: string;
  errorText: string;
  since: string;
}

/** How long a worker trusts its last read of the fault state, in milliseconds. */
const CACHE_MS = 500;

/**
 * The account fault that paused sending, shared by every worker and the
 * API's readiness check through Redis. While it is set, workers hold their
 * jobs; one probe send at a time is let through every `recheckMs` to find
 * out whether the fault has been fixed.
 */
export class GatewayFaultStore {
  private cached: { fault: GatewayFault | null; readAt: number } = { fault: null, readAt: 0 };

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly recheckMs: number,
  ) {}

  async current(): Promise<GatewayFault | null> {
    if (Date.now() - this.cached.readAt < CACHE_MS) return this.cached.fault;
    const raw = await this.redis.get(this.keys.gatewayFault('state'));
    this.cached = { fault: raw ? (JSON.parse(raw) as GatewayFault) : null, readAt: Date.now() };
    return this.cached.fault;
  }

  /** Records a fault; returns true when it is new, so that the caller raises the alert once. */
  async raise(status: string, errorText: string): Promise<boolean> {
    const fault: GatewayFault = { status, errorText, since: new Date().toISOString() };
    const [[, set]] = (await this.redis
      .multi()
      .set(this.keys.gatewayFault('state'), JSON.stringify(fault), 'NX')
      // The next probe waits a full interval after the send that found the fault.
      .set(this.keys.gatewayFault('probe'), '1', 'PX', this.recheckMs)
      .exec()) as [[Error | null, string | null], unknown];
    this.cached = { fault, readAt: Date.now() };
    return set === 'OK';
  }

  /**
   * Queues the clearing of the fault on `multi`, for a send that succeeded.
   * The returned function reads from the transaction's replies whether there
   * was a fault, and records locally that there is none now.
   */
  queueClear(multi: ChainableCommander): (replies: unknown[]) => boolean {
    multi.del(this.keys.gatewayFault('state'));
    const position = lastReplyIndex(multi);
    return (replies) => {
      this.cached = { fault: null, readAt: Date.now() };
      return Number(replies[position]) > 0;
    };
  }

  /** Claims the one probe send allowed per `recheckMs` while a fault is set. */
  async claimProbe(): Promise<boolean> {
    const claimed = await this.redis.set(this.keys.gatewayFault('probe'), '1', 'PX', this.recheckMs, 'NX');
    return claimed === 'OK';
  }
}
