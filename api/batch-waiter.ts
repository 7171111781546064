import type { Redis } from 'ioredis';
import type { BatchStore } from '../shared/batch-store.js';
import type { Logger } from '../shared/logger.js';

/**
 * Lets any number of requests wait for their batches to settle over one
 * Redis subscription. Workers publish a batch's id when its last number
 * settles; each waiter also reads the batch's state once after subscribing,
 * and again whenever the subscription reconnects, so a message published
 * while it was not listening is not missed.
 */
export class BatchWaiter {
  private readonly waiters = new Map<string, Set<(settled: boolean) => void>>();
  private readonly ready: Promise<unknown>;
  private released = false;

  constructor(
    private readonly subscriber: Redis,
    private readonly batches: BatchStore,
    channel: string,
    private readonly logger: Logger,
  ) {
    this.subscriber.on('message', (_channel: string, batchId: string) => this.wake(batchId));
    this.subscriber.on('ready', () => this.recheckAll());
    this.ready = this.subscriber.subscribe(channel);
    this.ready.catch((error: Error) => logger.error({ err: error.message }, 'cannot subscribe to batch events'));
  }

  /** Resolves true when the batch settles, or false once `timeoutMs` passes first. */
  async waitForSettled(batchId: string, timeoutMs: number): Promise<boolean> {
    if (timeoutMs <= 0 || this.released) return this.batches.isSettled(batchId);
    let done!: (settled: boolean) => void;
    const settled = new Promise<boolean>((resolve) => (done = resolve));
    this.add(batchId, done);
    const timer = setTimeout(() => done(false), timeoutMs);

    try {
      await this.ready;
      if (await this.batches.isSettled(batchId)) done(true);
      return await settled;
    } finally {
      clearTimeout(timer);
      this.remove(batchId, done);
    }
  }

  /**
   * Ends every wait at once, and every later one as soon as it starts, so
   * that a shutting-down API answers its waiting clients (with 202 and the
   * batch id) instead of keeping them until their deadlines.
   */
  releaseAll(): void {
    this.released = true;
    for (const callbacks of this.waiters.values()) {
      for (const callback of callbacks) callback(false);
    }
  }

  /** Number of requests waiting, for metrics and tests. */
  get waiting(): number {
    let count = 0;
    for (const set of this.waiters.values()) count += set.size;
    return count;
  }

  private add(batchId: string, callback: (settled: boolean) => void): void {
    const set = this.waiters.get(batchId) ?? new Set();
    set.add(callback);
    this.waiters.set(batchId, set);
  }

  private remove(batchId: string, callback: (settled: boolean) => void): void {
    const set = this.waiters.get(batchId);
    if (!set) return;
    set.delete(callback);
    if (set.size === 0) this.waiters.delete(batchId);
  }

  private wake(batchId: string): void {
    for (const callback of this.waiters.get(batchId) ?? []) callback(true);
  }

  private recheckAll(): void {
    for (const batchId of this.waiters.keys()) {
      this.batches
        .isSettled(batchId)
        .then((settled) => settled && this.wake(batchId))
        .catch((error: Error) => this.logger.warn({ err: error.message, batchId }, 'batch recheck failed'));
    }
  }
}
