import type { Queue } from 'bullmq';
import type { BatchPlanStore } from '../shared/batch-plan.js';
import type { Batch, BatchStore } from '../shared/batch-store.js';
import {
  reinstallJob,
  type FanOutJobData,
  type ReinstallJobData,
  type RetryPolicy,
} from '../shared/reinstall-job.js';
import type { ReinstallPlan } from './plan-reinstall.js';

export interface SubmitDeps extends RetryPolicy {
  batches: BatchStore;
  plans: BatchPlanStore;
  queue: Queue<ReinstallJobData>;
  fanOutQueue: Queue<FanOutJobData>;
}

/**
 * Maximum number of jobs the API adds itself, in one round trip. A larger batch is
 * handed to a worker's fan-out job, so that the API answers at once and
 * spends no time on thousands of queue writes while serving other requests.
 */
export const DIRECT_ENQUEUE_LIMIT = 100;

/** Records a batch for a plan, with the outcomes known at once, and enqueues one job per delivery. */
export async function submitPlan(deps: SubmitDeps, domain: string, plan: ReinstallPlan): Promise<Batch> {
  const batch = await deps.batches.create({
    domain,
    appId: plan.appId,
    numbers: plan.numbers,
    decided: plan.decided,
  });
  const jobs = plan.deliveries.map((delivery) => ({
    batchId: batch.id,
    index: delivery.index,
    domain,
    to: delivery.digits,
    messages: delivery.messages,
  }));
  if (jobs.length <= DIRECT_ENQUEUE_LIMIT) {
    if (jobs.length > 0) await deps.queue.addBulk(jobs.map((data) => reinstallJob(data, deps)));
    return batch;
  }
  await deps.plans.save(batch.id, domain, jobs);
  await deps.fanOutQueue.add('fan-out', { batchId: batch.id }, fanOutOptions(batch.id, deps));
  return batch;
}

function fanOutOptions(batchId: string, retry: RetryPolicy) {
  return {
    jobId: `fan-out-${batchId}`,
    attempts: retry.sendAttempts,
    backoff: { type: 'exponential', delay: retry.retryBaseDelayMs },
    removeOnComplete: { count: 100 },
    removeOnFail: { count: 1000 },
  };
}
