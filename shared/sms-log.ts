import type { ChainableCommander, Redis } from 'ioredis';
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

/**
 * Appends an entry to a project's stream and pushes the id XADD picks onto
 * the batch and number indexes, without a round trip in between.
 * KEYS: stream, batch index, number index, the number's last sender.
 * ARGV: oldest stream id kept, retention in seconds, last position kept in
 * the number index, domain, then the entry's fields and values.
 */
const RECORD_SCRIPT = `
local id = redis.call('XADD', KEYS[1], 'MINID', '~', ARGV[1], '*', unpack(ARGV, 5))
redis.call('EXPIRE', KEYS[1], ARGV[2])
redis.call('LPUSH', KEYS[2], id)
redis.call('EXPIRE', KEYS[2], ARGV[2])
redis.call('LPUSH', KEYS[3], id)
redis.call('LTRIM', KEYS[3], 0, ARGV[3])
redis.call('EXPIRE', KEYS[3], ARGV[2])
redis.call('SET', KEYS[4], ARGV[4], 'EX', ARGV[2])
return id
`;

/** Every send attempt per project, in a Redis stream trimmed to the retention period. */
export class SmsLog {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly retentionSeconds: number,
  ) {}

  /** Queues an entry on `multi`, so that it is written in the same transaction as the record it logs. */
  queueRecord(multi: ChainableCommander, domain: string, entry: Omit<SmsLogEntry, 'id'>): void {
    const oldest = Date.now() - this.retentionSeconds * 1000;
    // EVAL, not EVALSHA: ioredis resends a lone EVALSHA that fails with
    // NOSCRIPT, but not one inside a MULTI.
    multi.eval(
      RECORD_SCRIPT,
      4,
      this.keys.smsLog(domain),
      this.keys.smsLogIndex(domain, 'batch', entry.batchId),
      this.keys.smsLogIndex(domain, 'number', entry.to),
      this.keys.lastSender(entry.to),
      String(oldest),
      String(this.retentionSeconds),
      String(NUMBER_INDEX_LENGTH - 1),
      domain,
      ...toFields(entry),
    );
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
