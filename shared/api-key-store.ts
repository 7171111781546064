import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { RedisKeys } from './redis-keys.js';

/** The permission the reinstall API needs, named as in CommCare HQ's roles. */
export const EDIT_DATA = 'edit-data';

export interface ApiKeyRecord {
  id: string;
  username: string;
  /** Projects the key may act on. */
  domains: string[];
  permissions: string[];
  createdAt: string;
  /** ISO time after which the key no longer authenticates; absent means it never expires. */
  expiresAt?: string;
}

export interface NewApiKey {
  username: string;
  domains: string[];
  permissions?: string[];
  expiresAt?: Date;
}

/**
 * API keys, stored as SHA-256 hashes. Keys are 160 random bits, so a plain
 * hash suffices: there is no low-entropy secret for a slow hash to protect.
 */
export class ApiKeyStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  /** Creates a key and returns it; this is the only time the key itself is available. */
  async create(spec: NewApiKey, key = randomBytes(20).toString('hex')): Promise<{ record: ApiKeyRecord; key: string }> {
    const hash = hashKey(key);
    const record: ApiKeyRecord = {
      id: hash.slice(0, 12),
      username: spec.username,
      domains: [...spec.domains],
      permissions: spec.permissions ?? [EDIT_DATA],
      createdAt: new Date().toISOString(),
      ...(spec.expiresAt ? { expiresAt: spec.expiresAt.toISOString() } : {}),
    };
    await this.redis
      .multi()
      .set(this.keys.apiKey(hash), JSON.stringify(record))
      .hset(this.keys.apiKeyIds(), record.id, hash)
      .exec();
    return { record, key };
  }

  /** Returns the key's record when the username and key match and the key has not expired. */
  async authenticate(username: string, key: string, now = new Date()): Promise<ApiKeyRecord | null> {
    const raw = await this.redis.get(this.keys.apiKey(hashKey(key)));
    if (!raw) return null;
    const record = JSON.parse(raw) as ApiKeyRecord;
    if (!equalInConstantTime(record.username, username)) return null;
    if (record.expiresAt && Date.parse(record.expiresAt) <= now.getTime()) return null;
    return record;
  }

  async list(): Promise<ApiKeyRecord[]> {
    const hashes = Object.values(await this.redis.hgetall(this.keys.apiKeyIds()));
    if (hashes.length === 0) return [];
    const values = await this.redis.mget(hashes.map((hash) => this.keys.apiKey(hash)));
    return values
      .filter((value): value is string => value !== null)
      .map((value) => JSON.parse(value) as ApiKeyRecord)
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  async revoke(id: string): Promise<boolean> {
    const hash = await this.redis.hget(this.keys.apiKeyIds(), id);
    if (!hash) return false;
    await this.redis.multi().del(this.keys.apiKey(hash)).hdel(this.keys.apiKeyIds(), id).exec();
    return true;
  }
}

function hashKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

function equalInConstantTime(a: string, b: string): boolean {
  const left = createHash('sha256').update(a).digest();
  const right = createHash('sha256').update(b).digest();
  return timingSafeEqual(left, right);
}
