import type { Redis } from 'ioredis';
import type { MessageRecord } from './reinstall-job.js';
import type { RedisKeys } from './redis-keys.js';

/** One send attempt, as the SMS log keeps it. */
export interface SmsLogEntry {
  /** Stream id, which orders entries and serves as a paging cursor. */
  id: string;
  time: string;
  batchId: string;
  /** The user's position in the batch's request. */
  index: number;
  /** 1 for the Play Store link message, 2 for the install message. */
  step: number;
  to: string;
  status: MessageRecord['status'];
  messageIds: string[];
  errorCode: string | null;
  attempt: number;
}

export interface SmsLogQuery {
  domain: string;
  batchId?: string;
  /** Normalised digits. */
  number?: string;
  limit: number;
  /** Only entries older than this id, for paging through a project's log. */
  before?: string;
}

/** Entries kept per number; older ones remain in the project's log but drop out of the index. */
const NUMBER_INDEX_LENGTH = 1000;

/** Every send attempt per project, in a Redis stream trimmed to the retention period. */
export class SmsLog {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly retentionSeconds: number,
  ) {}

  async record(domain: string, entry: Omit<SmsLogEntry, 'id'>): Promise<void> {
    const stream = this.keys.smsLog(domain);
    const oldest = Date.now() - this.retentionSeconds * 1000;
    const id = (await this.redis.xadd(stream, 'MINID', '~', String(oldest), '*', ...toFields(entry))) as string;

    const byBatch = this.keys.smsLogIndex(domain, 'batch', entry.batchId);
    const byNumber = this.keys.smsLogIndex(domain, 'number', entry.to);
    await this.redis
      .multi()
      .expire(stream, this.retentionSeconds)
      .lpush(byBatch, id)
      .expire(byBatch, this.retentionSeconds)
      .lpush(byNumber, id)
      .ltrim(byNumber, 0, NUMBER_INDEX_LENGTH - 1)
      .expire(byNumber, this.retentionSeconds)
      .set(this.keys.lastSender(entry.to), domain, 'EX', this.retentionSeconds)
      .exec();
  }

  /** The project that last sent to a number within the retention period. */
  async lastSender(digits: string): Promise<string | null> {
    return this.redis.get(this.keys.lastSender(digits));
  }

  /** Entries newest first: of one batch, of one number, or of the whole project. */
  async list(query: SmsLogQuery): Promise<SmsLogEntry[]> {
    const stream = this.keys.smsLog(query.domain);
    if (!query.batchId && !query.number) {
      const end = query.before ? `(${query.before}` : '+';
      const rows = await this.redis.xrevrange(stream, end, '-', 'COUNT', query.limit);
      return rows.map(([id, fields]) => fromFields(id, fields));
    }

    const index = query.batchId
      ? this.keys.smsLogIndex(query.domain, 'batch', query.batchId)
      : this.keys.smsLogIndex(query.domain, 'number', query.number!);
    let ids = await this.redis.lrange(index, 0, -1);
    if (query.before) ids = ids.filter((id) => compareIds(id, query.before!) < 0);
    const pipeline = this.redis.pipeline();
    for (const id of ids.slice(0, query.limit)) pipeline.xrange(stream, id, id);
    const results = (await pipeline.exec()) ?? [];
    return results.flatMap(([, rows]) => (rows as [string, string[]][]).map(([id, fields]) => fromFields(id, fields)));
  }
}

function toFields(entry: Omit<SmsLogEntry, 'id'>): string[] {
  return [
    'time', entry.time,
    'batch', entry.batchId,
    'index', String(entry.index),
    'step', String(entry.step),
    'to', entry.to,
    'status', entry.status,
    'messageIds', entry.messageIds.join(','),
    'errorCode', entry.errorCode ?? '',
    'attempt', String(entry.attempt),
  ];
}

function fromFields(id: string, flat: string[]): SmsLogEntry {
  const fields: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) fields[flat[i]] = flat[i + 1];
  return {
    id,
    time: fields.time,
    batchId: fields.batch,
    index: Number(fields.index),
    step: Number(fields.step),
    to: fields.to,
    status: fields.status as SmsLogEntry['status'],
    messageIds: fields.messageIds ? fields.messageIds.split(',') : [],
    errorCode: fields.errorCode || null,
    attempt: Number(fields.attempt),
  };
}

/** Orders stream ids (`<ms>-<seq>`) numerically. */
function compareIds(a: string, b: string): number {
  const [aMs, aSeq] = a.split('-').map(Number);
  const [bMs, bSeq] = b.split('-').map(Number);
  return aMs - bMs || aSeq - bSeq;
}
