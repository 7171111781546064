import { expect } from 'chai';
import { validNumbers } from './support/phone-numbers.js';
import { ServiceHarness, usersBody } from './support/service-harness.js';
import { waitFor } from './support/wait-for.js';

describe('api shutdown', () => {
  const harness = new ServiceHarness({ withoutWorker: true, env: { SYNC_WAIT_MS: '60000' } });
  let auth: string;

  before(async () => {
    await harness.start();
    auth = await harness.addProject('shutdown', 'app1');
  });

  after(() => harness.stop());

  describe('when the API closes while requests wait', () => {
    it('answers them with 202 and their batch at once', async () => {
      const numbers = validNumbers(3, 9000);
      const waiting = numbers.map((number) => harness.reinstall('shutdown', auth, usersBody('app1', [number])));
      await waitFor(() => harness.api.services.reinstall.waiter.waiting === 3, 'three requests to wait');

      const started = Date.now();
      await harness.api.close();
      const answers = await Promise.all(waiting);

      expect(Date.now() - started).to.be.below(2000);
      for (const answer of answers) {
        expect(answer.status).to.equal(202);
        expect(answer.headers.get('location')).to.match(/\/batches\/[0-9a-f]{24}\/$/);
      }
    });
  });
});
