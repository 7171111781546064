import type { Queue } from 'bullmq';
import type { Batch, BatchStore } from '../shared/batch-store.js';
import { reinstallJobId, type ReinstallJobData } from '../shared/reinstall-job.js';
import type { PlannedDelivery, ReinstallPlan } from './plan-reinstall.js';

export interface SubmitDeps {
  batches: BatchStore;
  queue: Queue<ReinstallJobData>;
  sendAttempts: number;
  retryBaseDelayMs: number;
}

/** Jobs added to the queue per round trip. */
const ENQUEUE_CHUNK = 100;

/** Records a batch for a plan, with the outcomes known at once, and enqueues one job per delivery. */
export async function submitPlan(deps: SubmitDeps, domain: string, plan: ReinstallPlan): Promise<Batch> {
  const batch = await deps.batches.create({
    domain,
    appId: plan.appId,
    numbers: plan.numbers,
    decided: plan.decided,
  });
  for (let i = 0; i < plan.deliveries.length; i += ENQUEUE_CHUNK) {
    const chunk = plan.deliveries.slice(i, i + ENQUEUE_CHUNK);
    await deps.queue.addBulk(chunk.map((delivery) => toJob(deps, batch.id, domain, delivery)));
  }
  return batch;
}

function toJob(deps: SubmitDeps, batchId: string, domain: string, delivery: PlannedDelivery) {
  const data: ReinstallJobData = {
    batchId,
    index: delivery.index,
    domain,
    to: delivery.digits,
    messages: delivery.messages,
  };
  return {
    name: 'send-reinstall-sms',
    data,
    opts: {
      jobId: reinstallJobId(batchId, delivery.index),
      attempts: deps.sendAttempts,
      backoff: { type: 'exponential', delay: deps.retryBaseDelayMs, jitter: 0.5 },
      removeOnComplete: { count: 1000 },
      removeOnFail: { count: 5000 },
    },
  };
}
