import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { validNumbers } from './support/phone-numbers.js';
import { ServiceHarness, usersBody } from './support/service-harness.js';

const DOMAIN = 'features';
const APP = 'app1';
const BATCHES = `/a/${DOMAIN}/api/v0_5/sms_user_registration_reinstall/batches`;

interface MessageDetail {
  step: number;
  status: string;
  message_ids: string[];
  encoding: string;
  segments: number;
  attempts: number;
  error_code: string | null;
}

interface NumberDetail {
  phone_number: string;
  normalised: string;
  outcome: string;
  reason: string | null;
  messages: MessageDetail[];
}

describe('batch features', () => {
  const harness = new ServiceHarness({ env: { BATCH_RETENTION_SECONDS: '3600', MAX_POLL_WAIT_SECONDS: '10' } });
  let auth: string;

  before(async () => {
    await harness.start();
    auth = await harness.addProject(DOMAIN, APP);
  });

  afterEach(() => harness.simulator.resetFaults());
  after(() => harness.stop());

  const get = (path: string) => harness.request('GET', path, { headers: { authorization: auth } });

  describe('when a batch is read with detail', () => {
    const [fine, rejected] = validNumbers(2, 7000);
    let numbers: NumberDetail[];

    before(async () => {
      harness.simulator.setFaults({ rejectNumbers: { [rejected]: '6' } });
      const answer = await harness.reinstall(DOMAIN, auth, usersBody(APP, [`+${fine}`, rejected, 'bad']), {
        prefer: 'respond-async',
      });
      const polled = await get(`${answer.headers.get('location')}?wait=10&detail=1`);
      expect(polled.status).to.equal(200);
      numbers = (polled.body as { numbers: NumberDetail[] }).numbers;
    });

    it('gives each message its gateway id, encoding and segments', () => {
      expect(numbers[0]).to.include({ phone_number: `+${fine}`, normalised: fine, outcome: 'success' });
      expect(numbers[0].messages).to.have.length(2);
      const ids = harness.simulator.inbox(fine).map((message) => message.messageId);
      expect(numbers[0].messages.map((message) => message.message_ids[0])).to.deep.equal(ids);
      expect(numbers[0].messages[0]).to.include({ step: 1, status: 'accepted', encoding: 'gsm7', segments: 1, attempts: 1 });
    });

    it('gives a rejected number its gateway status', () => {
      expect(numbers[1]).to.include({ outcome: 'error', reason: 'rejected:6' });
      expect(numbers[1].messages[0]).to.include({ status: 'rejected', error_code: '6', attempts: 1 });
    });

    it('marks malformed numbers without messages', () => {
      expect(numbers[2]).to.deep.include({ outcome: 'invalid_format', messages: [] });
    });
  });

  describe('when a client long-polls', () => {
    it('returns as soon as the batch settles', async () => {
      harness.simulator.setFaults({ delayMs: 300 });
      const answer = await harness.reinstall(DOMAIN, auth, usersBody(APP, validNumbers(1, 7100)), {
        prefer: 'respond-async',
      });
      const started = Date.now();
      const polled = await get(`${answer.headers.get('location')}?wait=10`);
      expect((polled.body as { status: string }).status).to.equal('settled');
      expect(Date.now() - started).to.be.below(5000);
    });

    for (const wait of ['11', '-1', 'soon', '1e3']) {
      it(`answers 400 for wait=${wait}`, async () => {
        const polled = await get(`${BATCHES}/whatever/?wait=${wait}`);
        expect(polled.status).to.equal(400);
        expect(polled.body).to.have.property('wait').that.matches(/0 to 10/);
      });
    }
  });

  describe('when a project lists its batches', () => {
    it('lists them newest first with counts', async () => {
      const first = await harness.reinstall(DOMAIN, auth, usersBody(APP, ['x-list-1']), { prefer: 'respond-async' });
      const second = await harness.reinstall(DOMAIN, auth, usersBody(APP, ['x-list-2', 'x-list-3']));
      expect(first.status).to.equal(200);
      expect(second.status).to.equal(200);
      const listed = await get(`${BATCHES}/?limit=2`);
      const batches = (listed.body as { batches: { counts: Record<string, number>; status: string }[] }).batches;
      expect(batches).to.have.length(2);
      expect(batches[0].counts).to.deep.equal({ total: 2, success: 0, invalid_format: 2, error: 0, pending: 0 });
      expect(batches[1].counts.total).to.equal(1);
      expect(batches[0].status).to.equal('settled');
    });

    it('keeps batch keys no longer than the retention', async () => {
      const answer = await harness.reinstall(DOMAIN, auth, usersBody(APP, validNumbers(1, 7200)), {
        prefer: 'respond-async',
      });
      const batchId = (answer.body as { batch_id: string }).batch_id;
      const ttl = await harness.redis.ttl(harness.keys.batch(batchId));
      expect(ttl).to.be.within(3500, 3600);
    });
  });

  describe('when a submission carries an Idempotency-Key', () => {
    it('sends each SMS once for two identical submissions', async () => {
      const numbers = validNumbers(3, 7300);
      const key = randomUUID();
      const first = await harness.reinstall(DOMAIN, auth, usersBody(APP, numbers), { 'idempotency-key': key });
      const second = await harness.reinstall(DOMAIN, auth, usersBody(APP, numbers), { 'idempotency-key': key });

      expect(first.status).to.equal(200);
      expect(second.status).to.equal(200);
      expect(second.text).to.equal(first.text);
      expect(second.headers.get('idempotent-replayed')).to.equal('true');
      for (const number of numbers) expect(harness.simulator.inbox(number)).to.have.length(2);
    });

    it('sends once when the retry races the first request', async () => {
      const numbers = validNumbers(2, 7400);
      const key = randomUUID();
      const body = usersBody(APP, numbers);
      const answers = await Promise.all([1, 2, 3].map(() => harness.reinstall(DOMAIN, auth, body, { 'idempotency-key': key })));
      expect(answers.map((answer) => answer.status).filter((status) => status !== 200 && status !== 409)).to.deep.equal([]);
      await harness.reinstall(DOMAIN, auth, body, { 'idempotency-key': key });
      for (const number of numbers) expect(harness.simulator.inbox(number)).to.have.length(2);
    });

    it('answers 422 for the same key with another body', async () => {
      const key = randomUUID();
      await harness.reinstall(DOMAIN, auth, usersBody(APP, ['x-idem-1']), { 'idempotency-key': key });
      const reused = await harness.reinstall(DOMAIN, auth, usersBody(APP, ['x-idem-2']), { 'idempotency-key': key });
      expect(reused.status).to.equal(422);
      expect(reused.body).to.have.property('error').that.matches(/different body/);
    });

    it('answers 400 for a malformed key', async () => {
      const answer = await harness.reinstall(DOMAIN, auth, usersBody(APP, ['x']), { 'idempotency-key': 'has space' });
      expect(answer.status).to.equal(400);
      expect(answer.body).to.have.property('Idempotency-Key');
    });

    it('expires the key with the batch', async () => {
      const key = randomUUID();
      await harness.reinstall(DOMAIN, auth, usersBody(APP, ['x-ttl']), { 'idempotency-key': key });
      const keys = await harness.redis.keys(`${harness.prefix}:project:${DOMAIN}:idempotency:*`);
      const ttls = await Promise.all(keys.map((redisKey) => harness.redis.ttl(redisKey)));
      expect(ttls.every((ttl) => ttl > 3500 && ttl <= 3600)).to.equal(true);
    });
  });

  describe('when a dry run is requested', () => {
    const [english, hindi] = validNumbers(2, 7500);

    before(async () => {
      await harness.registry.putWorker(hindi, { domain: DOMAIN, username: 'hi', language: 'hi' });
    });

    it('renders each message with encoding and segments, sending nothing', async () => {
      const before = harness.simulator.stats().totalRequests;
      const answer = await harness.request('POST', `/a/${DOMAIN}/api/v0_5/sms_user_registration_reinstall/?dry_run=true`, {
        body: usersBody(APP, [english, hindi, 'bad']),
        headers: { authorization: auth },
      });
      expect(answer.status).to.equal(200);
      const { numbers } = answer.body as { numbers: (NumberDetail & { messages: { text: string }[] })[] };
      expect(numbers[0].outcome).to.equal('would_send');
      expect(numbers[0].messages[0]).to.include({ step: 1, encoding: 'gsm7', segments: 1 });
      expect(numbers[0].messages[1].text).to.match(/^\[commcare app - do not delete\] /);
      expect(numbers[1].messages[0]).to.include({ encoding: 'unicode' });
      expect(numbers[2]).to.include({ outcome: 'invalid_format' });
      expect(harness.simulator.stats().totalRequests).to.equal(before);
      expect(await harness.api.services.queue.getJobCountByTypes('wait', 'delayed', 'active')).to.equal(0);
    });

    it('still answers 400 for an invalid body', async () => {
      const answer = await harness.request('POST', `/a/${DOMAIN}/api/v0_5/sms_user_registration_reinstall/?dry_run=1`, {
        body: usersBody(APP, []),
        headers: { authorization: auth },
      });
      expect(answer.status).to.equal(400);
    });
  });
});
