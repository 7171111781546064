import { expect } from 'chai';
import { validNumbers } from './support/phone-numbers.js';
import { TestRedisServer } from './support/redis-server.js';
import { ServiceHarness, usersBody } from './support/service-harness.js';
import { waitFor } from './support/wait-for.js';

const DOMAIN = 'restart';
const APP = 'app1';

describe('redis restart', function () {
  this.timeout(60_000);
  const redis = new TestRedisServer();
  let harness: ServiceHarness;
  let auth: string;

  before(async () => {
    await redis.start();
    // A short job lock lets jobs cut off by the outage be recovered within the test.
    harness = new ServiceHarness({ redisUrl: redis.url, env: { SYNC_WAIT_MS: '0', WORKER_LOCK_MS: '3000' } });
    await harness.start();
    auth = await harness.addProject(DOMAIN, APP);
  });

  after(async () => {
    await redis.start();
    await harness?.stop();
    await redis.remove();
  });

  describe('when Redis stops and starts again mid-batch', () => {
    const numbers = validNumbers(40, 4000, '212');
    let location: string;

    it('answers 503 within a second while it is down', async () => {
      harness.simulator.setFaults({ delayMs: 100 });
      const accepted = await harness.reinstall(DOMAIN, auth, usersBody(APP, numbers));
      expect(accepted.status).to.equal(202);
      location = accepted.headers.get('location')!;

      await redis.stop();
      const started = Date.now();
      const answer = await harness.reinstall(DOMAIN, auth, usersBody(APP, validNumbers(1, 4100, '212')));
      expect(answer.status).to.equal(503);
      expect(Date.now() - started).to.be.below(1000);
      expect(answer.headers.get('retry-after')).to.match(/^\d+$/);
    });

    it('serves new requests once it is back, without a restart', async () => {
      await redis.start();
      let status = 0;
      await waitFor(async () => {
        status = (await harness.reinstall(DOMAIN, auth, usersBody(APP, ['not-a-number']))).status;
        return status !== 503;
      }, 'the API to reconnect', 20_000, 200);
      expect(status).to.equal(200);
    });

    it('finishes the batch accepted before the outage', async () => {
      const polled = await harness.request('GET', `${location}?wait=30`, { headers: { authorization: auth } });
      const body = polled.body as { status: string; success_numbers: string[]; error_numbers: string[] };
      expect(body.status).to.equal('settled');
      expect(body.success_numbers.length + body.error_numbers.length).to.equal(numbers.length);
      expect(body.success_numbers).to.have.length(numbers.length);
    });
  });
});
