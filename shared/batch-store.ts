import { randomBytes } from 'node:crypto';
import type { ChainableCommander, Redis } from 'ioredis';
import { FINAL_RECEIPT_STATUSES, type DeliveryReceipt, type MessageRecord } from './reinstall-job.js';
import type { RedisKeys } from './redis-keys.js';
import { execMulti, lastReplyIndex } from './redis-transaction.js';

/** Final state of one number: `invalid` is decided by the API, the others by the API or a worker. */
export type Outcome = { kind: 'success' } | { kind: 'invalid' } | { kind: 'error'; reason: string };

export interface NewBatch {
  domain: string;
  appId: string;
  /** Numbers exactly as the client sent them, in request order. */
  numbers: string[];
  /** Outcomes known before anything is sent, by index. */
  decided: Map<number, Outcome>;
}

export interface BatchSummary {
  id: string;
  domain: string;
  appId: string;
  state: 'pending' | 'settled';
  createdAt: string;
  settledAt?: string;
  counts: Record<Outcome['kind'] | 'pending' | 'total', number>;
}

export interface Batch extends BatchSummary {
  numbers: string[];
  outcomes: (Outcome | null)[];
}

export interface BatchLists {
  success_numbers: string[];
  invalid_format_numbers: string[];
  error_numbers: string[];
  pending_numbers: string[];
}

/**
 * Records one number's outcome once, and marks the batch settled when its
 * last pending number settles, publishing the batch id. A repeated call for
 * the same number (a job run again after a crash) changes nothing.
 */
const SETTLE_SCRIPT = `
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
if redis.call('HSETNX', KEYS[2], ARGV[1], ARGV[2]) == 0 then return 0 end
redis.call('HINCRBY', KEYS[1], ARGV[6], 1)
local pending = redis.call('HINCRBY', KEYS[1], 'pending', -1)
if pending <= 0 then
  redis.call('HSET', KEYS[1], 'state', 'settled', 'settledAt', ARGV[5])
  redis.call('PUBLISH', ARGV[3], ARGV[4])
  return redis.call('HGET', KEYS[1], 'createdAt')
end
return 1
`;

/** Stores a receipt (ARGV[2]) in field ARGV[1] unless the stored one has a final status (ARGV[4..]). */
const PUT_RECEIPT_SCRIPT = `
local current = redis.call('HGET', KEYS[1], ARGV[1])
if current then
  local status = cjson.decode(current).status
  for i = 4, #ARGV do
    if status == ARGV[i] then return 0 end
  end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[3]))
return 1
`;

/** The result of settling a number. */
export type SettleResult =
  | { applied: false }
  | { applied: true; batchSettled: false }
  | { applied: true; batchSettled: true; createdAt: string };

export function encodeOutcome(outcome: Outcome): string {
  return outcome.kind === 'error' ? `error:${outcome.reason}` : outcome.kind;
}

export function decodeOutcome(value: string | undefined): Outcome | null {
  if (value === undefined) return null;
  if (value === 'success' || value === 'invalid') return { kind: value };
  return { kind: 'error', reason: value.startsWith('error:') ? value.slice(6) : value };
}

/** Batches, their numbers' outcomes and per-message progress, kept in Redis for a retention period. */
export class BatchStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly retentionSeconds: number,
  ) {
    this.redis.defineCommand('putDeliveryReceipt', { numberOfKeys: 1, lua: PUT_RECEIPT_SCRIPT });
  }

  async create(spec: NewBatch): Promise<Batch> {
    const id = randomBytes(12).toString('hex');
    const createdAt = new Date().toISOString();
    const pending = spec.numbers.length - spec.decided.size;
    const state = pending === 0 ? 'settled' : 'pending';
    const outcomes = [...spec.decided].flatMap(([index, outcome]) => [index, encodeOutcome(outcome)]);
    const counts = countOutcomes(spec.numbers.length, spec.decided.values());
    const now = Date.now();

    const multi = this.redis.multi().hset(this.keys.batch(id), {
      domain: spec.domain,
      appId: spec.appId,
      state,
      createdAt,
      ...(state === 'settled' ? { settledAt: createdAt } : {}),
      ...counts,
      numbers: JSON.stringify(spec.numbers),
    });
    if (outcomes.length > 0) multi.hset(this.keys.batchOutcomes(id), ...outcomes);
    multi.expire(this.keys.batch(id), this.retentionSeconds);
    multi.expire(this.keys.batchOutcomes(id), this.retentionSeconds);
    const index = this.keys.projectBatches(spec.domain);
    multi.zadd(index, now, id);
    multi.zremrangebyscore(index, '-inf', now - this.retentionSeconds * 1000);
    multi.expire(index, this.retentionSeconds);
    await multi.exec();

    return {
      id,
      domain: spec.domain,
      appId: spec.appId,
      state,
      createdAt,
      ...(state === 'settled' ? { settledAt: createdAt } : {}),
      counts,
      numbers: spec.numbers,
      outcomes: spec.numbers.map((_, i) => spec.decided.get(i) ?? null),
    };
  }

  /** A project's batches, newest first, without their numbers. */
  async listRecent(domain: string, limit: number): Promise<BatchSummary[]> {
    const ids = await this.redis.zrevrange(this.keys.projectBatches(domain), 0, limit - 1);
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hmget(this.keys.batch(id), ...SUMMARY_FIELDS);
    const rows = (await pipeline.exec()) ?? [];
    return ids.flatMap((id, i) => {
      const values = rows[i]?.[1] as (string | null)[] | undefined;
      if (!values || values[0] === null) return [];
      const fields = Object.fromEntries(SUMMARY_FIELDS.map((name, j) => [name, values[j] ?? undefined]));
      return [toSummary(id, fields)];
    });
  }

  /**
   * Records a number's final outcome. Nothing is applied when the number
   * was already settled or the batch expired; `batchSettled` is set for the
   * call that settled the batch's last number.
   */
  async settle(batchId: string, index: number, outcome: Outcome): Promise<SettleResult> {
    const multi = this.redis.multi();
    const readResult = this.queueSettle(multi, batchId, index, outcome);
    return readResult(await execMulti(multi));
  }

  /**
   * Queues {@link settle} on `multi`, so that it applies together with the
   * transaction's other writes. Returns the function that reads its result
   * from the transaction's replies.
   */
  queueSettle(
    multi: ChainableCommander,
    batchId: string,
    index: number,
    outcome: Outcome,
  ): (replies: unknown[]) => SettleResult {
    // EVAL, not EVALSHA: ioredis resends a lone EVALSHA that fails with
    // NOSCRIPT, but not one inside a MULTI.
    multi.eval(
      SETTLE_SCRIPT,
      2,
      this.keys.batch(batchId),
      this.keys.batchOutcomes(batchId),
      String(index),
      encodeOutcome(outcome),
      this.keys.batchSettledChannel(),
      batchId,
      new Date().toISOString(),
      outcome.kind,
    );
    const position = lastReplyIndex(multi);
    return (replies) => toSettleResult(replies[position]);
  }

  async get(batchId: string): Promise<Batch | null> {
    const [fields, outcomes] = await Promise.all([
      this.redis.hgetall(this.keys.batch(batchId)),
      this.redis.hgetall(this.keys.batchOutcomes(batchId)),
    ]);
    if (!fields.numbers) return null;
    const numbers = JSON.parse(fields.numbers) as string[];
    return {
      ...toSummary(batchId, fields),
      numbers,
      outcomes: numbers.map((_, i) => decodeOutcome(outcomes[String(i)])),
    };
  }

  /** Every message record of a batch, keyed `<index>:<step>` with steps from 0. */
  async getMessages(batchId: string): Promise<Map<string, MessageRecord>> {
    const raw = await this.redis.hgetall(this.keys.batchMessages(batchId));
    return new Map(Object.entries(raw).map(([field, value]) => [field, JSON.parse(value) as MessageRecord]));
  }

  async isSettled(batchId: string): Promise<boolean> {
    return (await this.redis.hget(this.keys.batch(batchId), 'state')) === 'settled';
  }

  /**
   * Stores a delivery receipt unless the message already has a final one,
   * so receipts that arrive twice or out of order never undo a final status.
   */
  async putReceipt(batchId: string, index: number, step: number, receipt: DeliveryReceipt): Promise<boolean> {
    const applied = await (this.redis as ReceiptRedis).putDeliveryReceipt(
      this.keys.batchReceipts(batchId),
      `${index}:${step}`,
      JSON.stringify(receipt),
      String(this.retentionSeconds),
      ...FINAL_RECEIPT_STATUSES,
    );
    return applied === 1;
  }

  async getReceipt(batchId: string, index: number, step: number): Promise<DeliveryReceipt | null> {
    const raw = await this.redis.hget(this.keys.batchReceipts(batchId), `${index}:${step}`);
    return raw ? (JSON.parse(raw) as DeliveryReceipt) : null;
  }

  async getMessage(batchId: string, index: number, step: number): Promise<MessageRecord | null> {
    return parseRecord(await this.redis.hget(this.keys.batchMessages(batchId), `${index}:${step}`));
  }

  /** Both message records of one user, by step, in one read. */
  async getUserMessages(batchId: string, index: number): Promise<[MessageRecord | null, MessageRecord | null]> {
    const [first, second] = await this.redis.hmget(this.keys.batchMessages(batchId), `${index}:0`, `${index}:1`);
    return [parseRecord(first), parseRecord(second)];
  }

  async putMessage(batchId: string, index: number, step: number, record: MessageRecord): Promise<void> {
    const multi = this.redis.multi();
    this.queuePutMessage(multi, batchId, index, step, record);
    await execMulti(multi);
  }

  /** Queues {@link putMessage} on `multi`. */
  queuePutMessage(multi: ChainableCommander, batchId: string, index: number, step: number, record: MessageRecord): void {
    const key = this.keys.batchMessages(batchId);
    multi.hset(key, `${index}:${step}`, JSON.stringify(record)).expire(key, this.retentionSeconds);
  }
}

/** Splits a batch's numbers into the answer's lists, each in request order. */
export function batchLists(batch: Pick<Batch, 'numbers' | 'outcomes'>): BatchLists {
  const lists: BatchLists = {
    success_numbers: [],
    invalid_format_numbers: [],
    error_numbers: [],
    pending_numbers: [],
  };
  batch.numbers.forEach((number, i) => {
    const outcome = batch.outcomes[i];
    if (!outcome) lists.pending_numbers.push(number);
    else if (outcome.kind === 'success') lists.success_numbers.push(number);
    else if (outcome.kind === 'invalid') lists.invalid_format_numbers.push(number);
    else lists.error_numbers.push(number);
  });
  return lists;
}

const SUMMARY_FIELDS = ['domain', 'appId', 'state', 'createdAt', 'settledAt', 'total', 'pending', 'success', 'invalid', 'error'] as const;

function countOutcomes(total: number, decided: Iterable<Outcome>): BatchSummary['counts'] {
  const counts = { total, pending: total, success: 0, invalid: 0, error: 0 };
  for (const outcome of decided) {
    counts[outcome.kind] += 1;
    counts.pending -= 1;
  }
  return counts;
}

function toSummary(id: string, fields: Record<string, string | undefined>): BatchSummary {
  const count = (name: string) => Number(fields[name] ?? 0);
  return {
    id,
    domain: fields.domain ?? '',
    appId: fields.appId ?? '',
    state: fields.state === 'settled' ? 'settled' : 'pending',
    createdAt: fields.createdAt ?? '',
    ...(fields.settledAt ? { settledAt: fields.settledAt } : {}),
    counts: {
      total: count('total'),
      pending: count('pending'),
      success: count('success'),
      invalid: count('invalid'),
      error: count('error'),
    },
  };
}

function parseRecord(raw: string | null): MessageRecord | null {
  return raw ? (JSON.parse(raw) as MessageRecord) : null;
}

/** Reads the reply of SETTLE_SCRIPT. */
function toSettleResult(reply: unknown): SettleResult {
  if (typeof reply === 'string') return { applied: true, batchSettled: true, createdAt: reply };
  return reply === 1 ? { applied: true, batchSettled: false } : { applied: false };
}

type ReceiptRedis = Redis & {
  putDeliveryReceipt(...args: string[]): Promise<number>;
};
