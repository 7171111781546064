import { expect } from 'chai';
import { validNumbers } from './support/phone-numbers.js';
import { ServiceHarness, usersBody } from './support/service-harness.js';
import { waitFor } from './support/wait-for.js';

const DOMAIN = 'faults';
const APP = 'app1';

interface Lists {
  success_numbers: string[];
  error_numbers: string[];
  status?: string;
}

describe('gateway faults', () => {
  describe('when the gateway throttles and fails at random', () => {
    // A fixed sequence keeps the run reproducible: 20% throttled, 10% HTTP 500.
    let seed = 42;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const harness = new ServiceHarness({ env: { SEND_ATTEMPTS: '8', RETRY_BASE_DELAY_MS: '10', SYNC_WAIT_MS: '120000' } });
    let auth: string;

    before(async () => {
      await harness.start();
      auth = await harness.addProject(DOMAIN, APP);
    });

    after(() => harness.stop());

    it('settles a 500-user batch all in success_numbers', async function () {
      this.timeout(120_000);
      harness.simulator.setFaults({ throttleShare: 0.2, serverErrorShare: 0.1 });
      const numbers = validNumbers(500, 1000, '212');
      const answer = await harness.reinstall(DOMAIN, auth, usersBody(APP, numbers));

      expect(answer.status).to.equal(200);
      const lists = answer.body as Lists;
      expect(lists.error_numbers).to.deep.equal([]);
      expect(lists.success_numbers).to.have.length(500);
      const stats = harness.simulator.stats();
      expect(stats.throttled).to.be.above(50);
      expect(stats.serverErrors).to.be.above(20);
      for (const number of numbers) expect(harness.simulator.inbox(number)).to.have.length(2);
    });
  });

  describe('when the gateway account is out of credit', () => {
    const harness = new ServiceHarness({ env: { FAULT_RECHECK_MS: '300', SYNC_WAIT_MS: '0' } });
    let auth: string;
    const numbers = validNumbers(5, 2000, '212');

    before(async () => {
      await harness.start();
      auth = await harness.addProject(DOMAIN, APP);
    });

    after(() => harness.stop());

    it('pauses sending and reports not ready, then resumes', async function () {
      this.timeout(30_000);
      harness.simulator.setFaults({ rejectNumbers: Object.fromEntries(numbers.map((n) => [n, '9'])) });
      const answer = await harness.reinstall(DOMAIN, auth, usersBody(APP, numbers));
      expect(answer.status).to.equal(202);
      const location = answer.headers.get('location')!;

      await waitFor(async () => (await harness.request('GET', '/readyz')).status === 503, 'readiness to report the fault');
      const ready = await harness.request('GET', '/readyz');
      expect(ready.body).to.have.property('gateway').that.matches(/status 9/);
      const metrics = await harness.request('GET', '/metrics');
      expect(metrics.text).to.match(/reinstall_gateway_account_fault\{status="9"\} 1/);

      // While paused, only the occasional probe reaches the gateway, and no number fails.
      const paused = await harness.request('GET', location, { headers: { authorization: auth } });
      expect((paused.body as Lists).error_numbers).to.deep.equal([]);
      const probesBefore = harness.simulator.stats().rejected;
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect(harness.simulator.stats().rejected - probesBefore).to.be.at.most(5);

      harness.simulator.resetFaults();
      const settled = await harness.request('GET', `${location}?wait=20`, { headers: { authorization: auth } });
      expect((settled.body as Lists).success_numbers).to.deep.equal(numbers);
      expect((await harness.request('GET', '/readyz')).status).to.equal(200);
    });
  });
});
