import { expect } from 'chai';
import { validNumbers } from './support/phone-numbers.js';
import { ServiceHarness, usersBody } from './support/service-harness.js';

const DOMAIN = 'ratelimit';
const APP = 'app1';

describe('global send rate', () => {
  const harness = new ServiceHarness({
    withoutWorker: true,
    // The API, three workers and the simulator share this process's event loop, so a send can
    // leave tens of milliseconds after its slot; a 100 ms margin (27.3 sends per second)
    // absorbs that. bench/gateway-bound.ts measures the default margin with separate processes.
    env: {
      GATEWAY_RATE_PER_SECOND: '30',
      GATEWAY_RATE_MARGIN_MS: '100',
      SYNC_WAIT_MS: '120000',
      WORKER_CONCURRENCY: '20',
    },
  });
  let auth: string;

  before(async () => {
    await harness.start();
    auth = await harness.addProject(DOMAIN, APP);
    // Three workers, each with its own Redis connections, share one limit.
    for (let i = 0; i < 3; i++) await harness.startWorker();
  });

  after(() => harness.stop());

  describe('when three workers send 600 users against a gateway allowing 30 per second', () => {
    it('never exceeds the gateway rate and is never throttled', async function () {
      this.timeout(120_000);
      harness.simulator.setFaults({ maxPerSecond: 30 });
      const numbers = validNumbers(600, 3000, '212');
      const started = Date.now();
      const answer = await harness.reinstall(DOMAIN, auth, usersBody(APP, numbers));
      const seconds = (Date.now() - started) / 1000;

      expect(answer.status).to.equal(200);
      expect((answer.body as { success_numbers: string[] }).success_numbers).to.have.length(600);
      const stats = harness.simulator.stats();
      expect(stats.throttled).to.equal(0);
      expect(stats.maxRequestsPerRollingSecond).to.be.at.most(30);
      // 1,200 SMS at 27.3 per second take 44 s; much longer means the limiter starves senders.
      expect(seconds).to.be.below(52);
    });
  });
});
