import { expect } from 'chai';
import { Job } from 'bullmq';
import { DIRECT_ENQUEUE_LIMIT } from '../api/submit-reinstall.js';
import { BatchPlanStore } from '../shared/batch-plan.js';
import { reinstallJob, type FanOutJobData } from '../shared/reinstall-job.js';
import { settleUnqueued } from '../worker/fan-out-worker.js';
import { validNumbers } from './support/phone-numbers.js';
import { ServiceHarness, usersBody } from './support/service-harness.js';
import { testLogger } from './support/test-log.js';
import { waitFor } from './support/wait-for.js';

const DOMAIN = 'fanout';
const APP = 'app1';
const USERS = 250;

interface BatchAnswer {
  batch_id: string;
  status: 'pending' | 'settled';
  counts: Record<string, number>;
  success_numbers: string[];
  error_numbers: string[];
  invalid_format_numbers: string[];
}

describe('fanning a large batch out into jobs', () => {
  const harness = new ServiceHarness({ withoutWorker: true });
  let auth: string;
  let plans: BatchPlanStore;

  before(async () => {
    await harness.start();
    auth = await harness.addProject(DOMAIN, APP);
    plans = new BatchPlanStore(harness.redis, harness.keys, 3600);
  });

  after(() => harness.stop());

  async function submitLarge(start: number): Promise<{ batchId: string; numbers: string[] }> {
    const numbers = validNumbers(USERS, start);
    const answer = await harness.reinstall(DOMAIN, auth, usersBody(APP, [...numbers, 'not-a-number']), {
      prefer: 'respond-async',
    });
    expect(answer.status).to.equal(202);
    return { batchId: (answer.body as BatchAnswer).batch_id, numbers };
  }

  async function fanOutJob(batchId: string): Promise<Job<FanOutJobData>> {
    const job = await Job.fromId<FanOutJobData>(harness.api.services.fanOutQueue, `fan-out-${batchId}`);
    expect(job, 'fan-out job').to.not.equal(undefined);
    return job!;
  }

  it('leaves a large batch to a worker', async () => {
    expect(USERS).to.be.greaterThan(DIRECT_ENQUEUE_LIMIT);
    const { batchId } = await submitLarge(1000);
    const counts = await harness.api.services.queue.getJobCounts('waiting', 'prioritized', 'delayed', 'active');
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).to.equal(0);
    expect((await fanOutJob(batchId)).data).to.deep.equal({ batchId });
    expect(await plans.load(batchId)).to.have.length(USERS);
  });

  it('resumes from recorded progress, sending once', async function () {
    this.timeout(60_000);
    const { batchId, numbers } = await submitLarge(2000);
    // A fan-out that died after adding 150 jobs but recording progress for 100 of them.
    const planned = (await plans.load(batchId))!;
    await harness.api.services.queue.addBulk(planned.slice(0, 150).map((data) => reinstallJob(data, harness.config)));
    await (await fanOutJob(batchId)).updateProgress(100);

    const worker = await harness.startWorker();
    let batch: BatchAnswer | undefined;
    await waitFor(async () => {
      const answer = await harness.request('GET', `/a/${DOMAIN}/api/v0_5/sms_user_registration_reinstall/batches/${batchId}/`, {
        headers: { authorization: auth },
      });
      batch = answer.body as BatchAnswer;
      return batch.status === 'settled';
    }, 'the batch to settle', 45_000);

    expect(batch!.success_numbers).to.have.members(numbers);
    expect(batch!.invalid_format_numbers).to.deep.equal(['not-a-number']);
    for (const number of numbers) expect(harness.simulator.inbox(number), number).to.have.length(2);
    expect(await plans.load(batchId), 'plan after fan-out').to.equal(null);
    expect((await fanOutJob(batchId)).returnvalue, 'jobs added by the resumed run').to.equal(USERS - 100);
    await worker.close();
    harness.workers.splice(harness.workers.indexOf(worker), 1);
  });

  it('settles unqueued numbers when it fails', async () => {
    const { batchId, numbers } = await submitLarge(3000);
    const job = await fanOutJob(batchId);
    await job.updateProgress(100);
    const deps = {
      plans,
      batches: harness.api.services.reinstall.batches,
      queue: harness.api.services.queue,
      retry: harness.config,
      logger: testLogger(),
    };
    await settleUnqueued(deps, job);

    const answer = await harness.request('GET', `/a/${DOMAIN}/api/v0_5/sms_user_registration_reinstall/batches/${batchId}/`, {
      headers: { authorization: auth },
    });
    const batch = answer.body as BatchAnswer & { pending_numbers: string[] };
    expect(batch.error_numbers).to.deep.equal(numbers.slice(100));
    expect(batch.pending_numbers).to.deep.equal(numbers.slice(0, 100));
    expect(await plans.load(batchId)).to.equal(null);
  });
});
