import { expect } from 'chai';
import { validNumbers } from './support/phone-numbers.js';
import { ServiceHarness, usersBody } from './support/service-harness.js';
import { waitFor } from './support/wait-for.js';
import { WorkerProcess } from './support/worker-process.js';

const DOMAIN = 'crash';
const APP = 'app1';
const SECRET = 'receipt-secret-for-tests';

describe('worker crash', function () {
  this.timeout(180_000);
  const harness = new ServiceHarness({
    withoutWorker: true,
    env: { SYNC_WAIT_MS: '0', WEBHOOK_SECRET: SECRET },
  });
  // A short lock gets the dead worker's jobs recovered within seconds. Receipts
  // can lag by many seconds when this machine is busy, and a send cut off by
  // the kill is only repeated when its receipt has not come by the timeout.
  const workerEnv = {
    WORKER_LOCK_MS: '2000',
    WEBHOOK_SECRET: SECRET,
    UNKNOWN_OUTCOME_TIMEOUT_MS: '60000',
    UNKNOWN_RECHECK_MS: '250',
    GATEWAY_RATE_PER_SECOND: '0',
  };
  let auth: string;
  let first: WorkerProcess;
  let second: WorkerProcess;

  before(async () => {
    await harness.start();
    auth = await harness.addProject(DOMAIN, APP);
    first = new WorkerProcess(harness.config, workerEnv);
    second = new WorkerProcess(harness.config, workerEnv);
  });

  after(async () => {
    await first.stop();
    await second.stop();
    await harness.stop();
  });

  describe('when a worker is SIGKILLed mid-batch and another takes over', () => {
    it('settles every number and sends each accepted message once', async () => {
      harness.simulator.setFaults({
        delayMs: 20,
        receiptUrl: `${harness.baseUrl}/webhooks/vonage/delivery-receipt?secret=${SECRET}`,
      });
      const numbers = validNumbers(1000, 0, '213');
      const answer = await harness.reinstall(DOMAIN, auth, usersBody(APP, numbers));
      expect(answer.status).to.equal(202);
      const location = answer.headers.get('location')!;

      await first.start();
      await waitFor(() => harness.simulator.stats().accepted >= 400, '400 messages to be accepted', 60_000, 20);
      await first.kill();
      const acceptedAtKill = harness.simulator.stats().accepted;
      await second.start();

      let body: { status: string; success_numbers: string[]; error_numbers: string[] } | undefined;
      await waitFor(async () => {
        const polled = await harness.request('GET', `${location}?wait=10`, { headers: { authorization: auth } });
        body = polled.body as typeof body;
        return body?.status === 'settled';
      }, 'the batch to settle', 150_000, 100);

      expect(acceptedAtKill).to.be.below(2000);
      expect(body!.error_numbers).to.deep.equal([]);
      expect(body!.success_numbers).to.have.length(1000);
      const duplicates = numbers.filter((number) => {
        const steps = harness.simulator.inbox(number).map((message) => message.clientRef?.split(':')[2]);
        return steps.join(',') !== '1,2';
      });
      expect(duplicates.map((number) => number.slice(-4))).to.deep.equal([]);
    });
  });
});
