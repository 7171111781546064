import { expect } from 'chai';
import { validNumbers } from './support/phone-numbers.js';
import { ServiceHarness, usersBody } from './support/service-harness.js';

const DOMAIN = 'smslog';
const APP = 'app1';
const LOG = `/a/${DOMAIN}/api/v0_5/sms_user_registration_reinstall/sms_log/`;

interface LogEntry {
  id: string;
  time: string;
  batch_id: string;
  step: number;
  phone_number: string;
  status: string;
  message_ids: string[];
  error_code: string | null;
  attempt: number;
}

describe('sms log', () => {
  const harness = new ServiceHarness();
  let auth: string;
  let batchId: string;
  const [retried, rejected, other] = validNumbers(3, 8000);

  before(async () => {
    await harness.start();
    auth = await harness.addProject(DOMAIN, APP);
    harness.simulator.setFaults({
      scripted: { [retried]: ['ok', 'throttle', 'ok'] },
      rejectNumbers: { [rejected]: '6' },
    });
    const first = await harness.reinstall(DOMAIN, auth, usersBody(APP, [retried, rejected]), { prefer: 'respond-async' });
    batchId = (first.body as { batch_id: string }).batch_id;
    await harness.request('GET', `${first.headers.get('location')}?wait=10`, { headers: { authorization: auth } });
    await harness.reinstall(DOMAIN, auth, usersBody(APP, [other]));
  });

  after(() => harness.stop());

  const list = async (query: string) => {
    const answer = await harness.request('GET', `${LOG}${query}`, { headers: { authorization: auth } });
    expect(answer.status, answer.text).to.equal(200);
    return answer.body as { entries: LogEntry[]; next_before: string | null };
  };

  describe('when listed by number', () => {
    it('records every attempt with its status and code', async () => {
      const { entries } = await list(`?phone_number=${encodeURIComponent(`+${retried}`)}`);
      const oldestFirst = entries.reverse();
      expect(oldestFirst.map((entry) => [entry.step, entry.status, entry.error_code])).to.deep.equal([
        [1, 'accepted', null],
        [2, 'retrying', '1'],
        [2, 'accepted', null],
      ]);
      expect(oldestFirst[0].message_ids).to.deep.equal([harness.simulator.inbox(retried)[0].messageId]);
      expect(oldestFirst[0].batch_id).to.equal(batchId);
      expect(Date.parse(oldestFirst[0].time)).to.be.above(0);
    });

    it('records a rejection', async () => {
      const { entries } = await list(`?phone_number=${rejected}`);
      expect(entries).to.have.length(1);
      expect(entries[0]).to.include({ status: 'rejected', error_code: '6', step: 1 });
    });

    it('answers 400 for a malformed number', async () => {
      const answer = await harness.request('GET', `${LOG}?phone_number=12ab`, { headers: { authorization: auth } });
      expect(answer.status).to.equal(400);
      expect(answer.body).to.have.property('phone_number');
    });
  });

  describe('when listed by batch', () => {
    it('returns only that batch\'s attempts', async () => {
      const { entries } = await list(`?batch_id=${batchId}`);
      expect(entries).to.have.length(4);
      expect(entries.every((entry) => entry.batch_id === batchId)).to.equal(true);
    });
  });

  describe('when listed for the project', () => {
    it('pages newest first', async () => {
      const firstPage = await list('?limit=2');
      expect(firstPage.entries).to.have.length(2);
      expect(firstPage.entries[0].phone_number).to.equal(other);
      const secondPage = await list(`?limit=10&before=${firstPage.next_before}`);
      expect(secondPage.entries).to.have.length(4);
      expect(secondPage.next_before).to.equal(null);
    });

    it('answers 401 without credentials', async () => {
      const answer = await harness.request('GET', LOG);
      expect(answer.status).to.equal(401);
    });

    it('answers 400 for a malformed cursor', async () => {
      const answer = await harness.request('GET', `${LOG}?before=yesterday`, { headers: { authorization: auth } });
      expect(answer.status).to.equal(400);
    });
  });
});
