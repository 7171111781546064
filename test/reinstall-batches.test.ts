import { expect } from 'chai';
import { validNumbers } from './support/phone-numbers.js';
import { ServiceHarness, usersBody } from './support/service-harness.js';
import { waitFor } from './support/wait-for.js';

const DOMAIN = 'batches';
const APP = 'app1';

interface BatchAnswer {
  batch_id: string;
  status: 'pending' | 'settled';
  counts: Record<string, number>;
  success_numbers: string[];
  invalid_format_numbers: string[];
  error_numbers: string[];
  pending_numbers: string[];
}

describe('reinstall batches', () => {
  const harness = new ServiceHarness({ env: { SYNC_WAIT_MS: '300' } });
  let auth: string;

  before(async () => {
    await harness.start();
    auth = await harness.addProject(DOMAIN, APP);
  });

  afterEach(() => harness.simulator.resetFaults());
  after(() => harness.stop());

  describe('when the batch outlasts the deadline', () => {
    const [slow] = validNumbers(1, 4000);
    let answer: Awaited<ReturnType<typeof harness.reinstall>>;

    before(async () => {
      harness.simulator.setFaults({ delayMs: 600 });
      answer = await harness.reinstall(DOMAIN, auth, usersBody(APP, [slow, 'not-a-number']));
    });

    it('answers 202 with a Location to poll', () => {
      expect(answer.status).to.equal(202);
      const body = answer.body as BatchAnswer;
      expect(answer.headers.get('location')).to.equal(
        `/a/${DOMAIN}/api/v0_5/sms_user_registration_reinstall/batches/${body.batch_id}/`,
      );
    });

    it('lists what has settled and what is still pending', () => {
      const body = answer.body as BatchAnswer;
      expect(body.status).to.equal('pending');
      expect(body.invalid_format_numbers).to.deep.equal(['not-a-number']);
      expect(body.pending_numbers).to.deep.equal([slow]);
      expect(body.success_numbers).to.deep.equal([]);
    });

    it('returns the settled batch from the Location', async () => {
      const location = answer.headers.get('location')!;
      let polled: BatchAnswer | undefined;
      await waitFor(async () => {
        const response = await harness.request('GET', location, { headers: { authorization: auth } });
        expect(response.status).to.equal(200);
        polled = response.body as BatchAnswer;
        return polled.status === 'settled';
      }, 'the batch to settle');
      expect(polled).to.deep.include({
        batch_id: (answer.body as BatchAnswer).batch_id,
        status: 'settled',
        app_id: APP,
        success_numbers: [slow],
        invalid_format_numbers: ['not-a-number'],
        error_numbers: [],
        pending_numbers: [],
      });
      expect(polled!.counts).to.deep.equal({ total: 2, success: 1, invalid_format: 1, error: 0, pending: 0 });
    });
  });

  describe('when the client prefers an asynchronous answer', () => {
    it('answers 202 at once', async () => {
      const [number] = validNumbers(1, 4100);
      harness.simulator.setFaults({ delayMs: 2000 });
      const started = Date.now();
      const answer = await harness.reinstall(DOMAIN, auth, usersBody(APP, [number]), { prefer: 'respond-async' });
      expect(answer.status).to.equal(202);
      expect(Date.now() - started).to.be.below(250);
      expect((answer.body as BatchAnswer).pending_numbers).to.deep.equal([number]);
    });

    it('answers 200 at once when nothing needs sending', async () => {
      const answer = await harness.reinstall(DOMAIN, auth, usersBody(APP, ['x1']), { prefer: 'respond-async' });
      expect(answer.status).to.equal(200);
      expect(answer.body).to.deep.equal({ success_numbers: [], invalid_format_numbers: ['x1'], error_numbers: [] });
    });
  });

  describe('when a batch is read by someone else', () => {
    it('answers 404 for another project\'s batch', async () => {
      const answer = await harness.reinstall(DOMAIN, auth, usersBody(APP, validNumbers(1, 4200)), {
        prefer: 'respond-async',
      });
      const otherAuth = await harness.addProject('batches-other');
      const location = answer.headers.get('location')!.replace(`/a/${DOMAIN}/`, '/a/batches-other/');
      const polled = await harness.request('GET', location, { headers: { authorization: otherAuth } });
      expect(polled.status).to.equal(404);
    });

    it('answers 404 for an unknown batch id', async () => {
      const polled = await harness.request(
        'GET',
        `/a/${DOMAIN}/api/v0_5/sms_user_registration_reinstall/batches/0123456789abcdef01234567/`,
        { headers: { authorization: auth } },
      );
      expect(polled.status).to.equal(404);
    });

    it('answers 401 without credentials', async () => {
      const polled = await harness.request('GET', `/a/${DOMAIN}/api/v0_5/sms_user_registration_reinstall/batches/x/`);
      expect(polled.status).to.equal(401);
    });
  });

  describe('when many requests wait at once', () => {
    const busy = new ServiceHarness({ withoutWorker: true, env: { SYNC_WAIT_MS: '60000' } });
    let busyAuth: string;

    before(async () => {
      await busy.start();
      busyAuth = await busy.addProject(DOMAIN, APP);
    });

    after(() => busy.stop());

    it('keeps the API on the same Redis connections', async function () {
      this.timeout(60_000);
      const numbers = validNumbers(500, 5000);
      const before = await clientCount(busy);
      const requests = numbers.map((number) => busy.reinstall(DOMAIN, busyAuth, usersBody(APP, [number])));
      // No worker runs yet, so every request stays waiting until one starts.
      await waitFor(() => busy.api.services.reinstall.waiter.waiting === 500, '500 requests to wait at once', 30_000);
      const during = await clientCount(busy);
      await busy.startWorker();
      const answers = await Promise.all(requests);

      expect(answers.filter((answer) => answer.status !== 200)).to.deep.equal([]);
      expect(during - before).to.be.at.most(0);
    });
  });
});

/** Number of connections Redis has open right now, from CLIENT LIST. */
async function clientCount(harness: ServiceHarness): Promise<number> {
  const list = (await harness.redis.call('CLIENT', 'LIST')) as string;
  return list.trim().split('\n').length;
}
