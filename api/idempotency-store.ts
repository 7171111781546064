import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { RedisKeys } from '../shared/redis-keys.js';
import type { ReinstallRequestDto } from './reinstall-request.dto.js';

export type IdempotencyClaim =
  | { kind: 'new' }
  | { kind: 'replay'; batchId: string }
  | { kind: 'in_flight' }
  | { kind: 'mismatch' };

interface StoredClaim {
  bodyHash: string;
  batchId?: string;
}

/**
 * Idempotency keys of submissions, per project. A key is claimed before its
 * batch is created and then points at the batch; it expires with the batch.
 */
export class IdempotencyStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly ttlSeconds: number,
  ) {}

  /** Claims `key` for a body, or reports what an earlier request with the same key did. */
  async claim(domain: string, key: string, bodyHash: string): Promise<IdempotencyClaim> {
    const redisKey = this.redisKey(domain, key);
    const fresh: StoredClaim = { bodyHash };
    const set = await this.redis.set(redisKey, JSON.stringify(fresh), 'EX', this.ttlSeconds, 'NX');
    if (set === 'OK') return { kind: 'new' };

    const raw = await this.redis.get(redisKey);
    // The key expired between the two commands: claim it again.
    if (raw === null) return this.claim(domain, key, bodyHash);
    const stored = JSON.parse(raw) as StoredClaim;
    if (stored.bodyHash !== bodyHash) return { kind: 'mismatch' };
    return stored.batchId ? { kind: 'replay', batchId: stored.batchId } : { kind: 'in_flight' };
  }

  async complete(domain: string, key: string, bodyHash: string, batchId: string): Promise<void> {
    const stored: StoredClaim = { bodyHash, batchId };
    await this.redis.set(this.redisKey(domain, key), JSON.stringify(stored), 'EX', this.ttlSeconds);
  }

  /** Frees a claimed key whose submission failed, so that the client can retry with it. */
  async release(domain: string, key: string): Promise<void> {
    await this.redis.del(this.redisKey(domain, key));
  }

  private redisKey(domain: string, key: string): string {
    return this.keys.idempotencyKey(domain, createHash('sha256').update(key).digest('hex'));
  }
}

/**
 * Hashes what a request asks for: its validated fields, not its bytes, so a
 * retry that spells the same JSON differently still matches.
 */
export function hashRequest(request: ReinstallRequestDto): string {
  const fields = [request.app_id, request.users.map((user) => user.phone_number), request.reinstall_message ?? null];
  return createHash('sha256').update(JSON.stringify(fields)).digest('hex');
}
