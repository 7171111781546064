import { expect } from 'chai';
import { validNumbers } from './support/phone-numbers.js';
import { ServiceHarness, usersBody } from './support/service-harness.js';
import { TcpProxy } from './support/tcp-proxy.js';
import { waitFor } from './support/wait-for.js';

const DOMAIN = 'outage';
const APP = 'app1';

describe('redis outage', () => {
  const proxy = new TcpProxy(6379);
  let harness: ServiceHarness;
  let auth: string;

  before(async () => {
    await proxy.start();
    harness = new ServiceHarness({ env: { REDIS_URL: proxy.url } });
    await harness.start();
    auth = await harness.addProject(DOMAIN, APP);
  });

  after(async () => {
    await proxy.start();
    await harness?.stop();
    await proxy.cut();
  });

  describe('when Redis becomes unreachable', () => {
    it('answers 503 with Retry-After within a second', async () => {
      await proxy.cut();
      await waitFor(() => harness.api.services.redis.status !== 'ready', 'the API to notice the outage');

      const started = Date.now();
      const answer = await harness.reinstall(DOMAIN, auth, usersBody(APP, validNumbers(1, 6000)));
      expect(answer.status).to.equal(503);
      expect(Date.now() - started).to.be.below(1000);
      expect(answer.headers.get('retry-after')).to.match(/^\d+$/);
      expect(answer.body).to.have.property('error').that.matches(/retry/);
    });

    it('serves again once Redis is back, without a restart', async () => {
      await proxy.start();
      const [number] = validNumbers(1, 6010);
      let status = 0;
      await waitFor(async () => {
        status = (await harness.reinstall(DOMAIN, auth, usersBody(APP, [number]))).status;
        return status !== 503;
      }, 'the API to reconnect', 15_000, 200);
      expect(status).to.equal(200);
      expect(harness.simulator.inbox(number)).to.have.length(2);
    });
  });
});
