import type { Redis } from 'ioredis';
import type { RedisKeys } from './redis-keys.js';
import type { ReinstallJobData, ReinstallSms } from './reinstall-job.js';

/** One recipient of a batch: their index in the request, their digits and their two messages. */
export interface PlannedJob {
  index: number;
  to: string;
  messages: [ReinstallSms, ReinstallSms];
}

/**
 * The stored form: recipients share a handful of message pairs, so each
 * pair is kept once and recipients refer to it by its position.
 */
interface StoredPlan {
  domain: string;
  messageSets: [ReinstallSms, ReinstallSms][];
  /** `[index, digits, position in messageSets]` per recipient, in request order. */
  recipients: [number, string, number][];
}

/**
 * The per-user jobs of a batch that a fan-out job adds to the queue. The
 * plan is kept until the fan-out finishes, so a fan-out run again after a
 * crash can add what is missing.
 */
export class BatchPlanStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly retentionSeconds: number,
  ) {}

  async save(batchId: string, domain: string, jobs: readonly PlannedJob[]): Promise<void> {
    await this.redis.set(this.keys.batchPlan(batchId), JSON.stringify(compact(domain, jobs)), 'EX', this.retentionSeconds);
  }

  /** Returns the batch's jobs in request order, or null when its plan was deleted or expired. */
  async load(batchId: string): Promise<ReinstallJobData[] | null> {
    const raw = await this.redis.get(this.keys.batchPlan(batchId));
    if (raw === null) return null;
    const plan = JSON.parse(raw) as StoredPlan;
    return plan.recipients.map(([index, to, set]) => ({
      batchId,
      index,
      domain: plan.domain,
      to,
      messages: plan.messageSets[set],
    }));
  }

  async delete(batchId: string): Promise<void> {
    await this.redis.del(this.keys.batchPlan(batchId));
  }
}

/** Builds the stored form. Recipients whose message pairs are the same object share one entry. */
function compact(domain: string, jobs: readonly PlannedJob[]): StoredPlan {
  const positions = new Map<PlannedJob['messages'], number>();
  const messageSets: StoredPlan['messageSets'] = [];
  const recipients = jobs.map((job): [number, string, number] => {
    let position = positions.get(job.messages);
    if (position === undefined) {
      position = messageSets.push(job.messages) - 1;
      positions.set(job.messages, position);
    }
    return [job.index, job.to, position];
  });
  return { domain, messageSets, recipients };
}
