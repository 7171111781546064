import { expect } from 'chai';
import { AppInfoSigner, loadSigningKey, verifyAppInfoPayload } from '../shared/app-info-signer.js';
import { INSTALL_MESSAGE_MARKER } from '../shared/reinstall-messages.js';
import { validNumbers } from './support/phone-numbers.js';
import { ServiceHarness, usersBody } from './support/service-harness.js';
import { waitFor } from './support/wait-for.js';

const DOMAIN = 'delivery';
const APP = 'app1';
const PLAY_LINK = 'https://play.google.com/store/apps/details?id=org.commcare.dalvik';

interface ReinstallAnswer {
  success_numbers: string[];
  invalid_format_numbers: string[];
  error_numbers: string[];
}

describe('reinstall delivery', () => {
  const harness = new ServiceHarness({
    env: { GATEWAY_TIMEOUT_MS: '1000', UNKNOWN_OUTCOME_TIMEOUT_MS: '1500', UNKNOWN_RECHECK_MS: '200' },
  });
  let auth: string;

  before(async () => {
    await harness.start();
    auth = await harness.addProject(DOMAIN, APP);
  });

  afterEach(() => harness.simulator.resetFaults());
  after(() => harness.stop());

  describe('when one valid number is sent', () => {
    const [number] = validNumbers(1, 3000);
    let answer: Awaited<ReturnType<typeof harness.reinstall>>;

    before(async () => {
      answer = await harness.reinstall(DOMAIN, auth, usersBody(APP, [number]));
    });

    it('answers 200 with exactly the three lists', () => {
      expect(answer.status).to.equal(200);
      expect(answer.text).to.equal(
        `{"success_numbers": ["${number}"], "invalid_format_numbers": [], "error_numbers": []}`,
      );
    });

    it('sends the Play Store link first, then the install message', () => {
      const inbox = harness.simulator.inbox(number);
      expect(inbox).to.have.length(2);
      expect(inbox[0].text).to.equal(`Please tap this link to reinstall CommCare on your phone: ${PLAY_LINK}`);
      expect(inbox[1].text.startsWith(INSTALL_MESSAGE_MARKER)).to.equal(true);
    });

    it('points the install message at a signed app-info payload', async () => {
      const encoded = harness.simulator.inbox(number)[1].text.slice(INSTALL_MESSAGE_MARKER.length);
      expect(encoded).to.match(/^[A-Za-z0-9+/]+=*$/);
      const url = Buffer.from(encoded, 'base64').toString('utf8');
      expect(url).to.equal(`${harness.baseUrl}/a/${DOMAIN}/sms/app_info/${APP}/`);

      const response = await fetch(url);
      const body = await response.text();
      expect(response.status).to.equal(200);
      expect(body).not.to.include('\n');
      const publicKey = new AppInfoSigner(loadSigningKey(harness.config)).publicKeyBase64();
      const signedUrl = verifyAppInfoPayload(body, publicKey);
      expect(signedUrl).to.equal(`https://hq.example.org/a/${DOMAIN}/apps/download/${APP}/profile.ccpr`);
    });
  });

  describe('when numbers are classified', () => {
    const cases: { sent: string; list: keyof ReinstallAnswer }[] = [
      { sent: '16175553001', list: 'success_numbers' },
      { sent: '+1 (617) 555-3002', list: 'success_numbers' },
      { sent: '1.617.555.3003', list: 'success_numbers' },
      { sent: '0016175553004', list: 'success_numbers' },
      { sent: '254712345678', list: 'success_numbers' },
      { sent: '2348031234567', list: 'success_numbers' },
      { sent: '911234567890', list: 'success_numbers' },
      { sent: '1617JKL1234', list: 'invalid_format_numbers' },
      { sent: '447700900123', list: 'invalid_format_numbers' },
      { sent: '15555550100', list: 'invalid_format_numbers' },
      { sent: '123', list: 'invalid_format_numbers' },
      { sent: '', list: 'invalid_format_numbers' },
      { sent: '+ext', list: 'invalid_format_numbers' },
      { sent: '1617555300５', list: 'invalid_format_numbers' },
      { sent: '9'.repeat(40), list: 'invalid_format_numbers' },
      { sent: '+1 617 555 3006 ext 2', list: 'invalid_format_numbers' },
    ];
    let answer: ReinstallAnswer;

    before(async () => {
      const response = await harness.reinstall(DOMAIN, auth, usersBody(APP, cases.map((c) => c.sent)));
      expect(response.status, response.text).to.equal(200);
      answer = response.body as ReinstallAnswer;
    });

    for (const testCase of cases) {
      it(`puts ${JSON.stringify(testCase.sent)} in ${testCase.list}`, () => {
        expect(answer[testCase.list]).to.include(testCase.sent);
      });
    }

    it('lists each number once, in request order', () => {
      const all = [...answer.success_numbers, ...answer.invalid_format_numbers, ...answer.error_numbers];
      expect(all).to.have.length(cases.length);
      for (const list of Object.values(answer)) {
        const order = list.map((sent: string) => cases.findIndex((c) => c.sent === sent));
        expect(order).to.deep.equal([...order].sort((a, b) => a - b));
      }
    });

    it('sends nothing to malformed numbers', () => {
      expect(harness.simulator.inbox('1617JKL1234')).to.deep.equal([]);
      expect(harness.simulator.inbox('447700900123')).to.deep.equal([]);
    });
  });

  describe('when a number must not be messaged', () => {
    const [foreign, optedOut, own] = validNumbers(3, 3100);

    before(async () => {
      await harness.addProject('delivery-other');
      await harness.registry.putWorker(foreign, { domain: 'delivery-other', username: 'w1', language: 'en' });
      await harness.registry.addOptOut(DOMAIN, optedOut);
    });

    it('puts other projects\' workers and opted-out numbers in error_numbers', async () => {
      const answer = await harness.reinstall(DOMAIN, auth, usersBody(APP, [foreign, optedOut, own]));
      expect(answer.body).to.deep.equal({
        success_numbers: [own],
        invalid_format_numbers: [],
        error_numbers: [foreign, optedOut],
      });
      expect(harness.simulator.inbox(foreign)).to.deep.equal([]);
      expect(harness.simulator.inbox(optedOut)).to.deep.equal([]);
    });
  });

  describe('when workers have languages', () => {
    const [french, swahili, hindi, unknown, overridden] = validNumbers(5, 3200);

    before(async () => {
      await harness.registry.putProject({ domain: 'delivery-es', plan: 'PRO', registrationEnabled: true, defaultLanguage: 'es' });
      await harness.registry.putWorker(french, { domain: DOMAIN, username: 'fr', language: 'fr' });
      await harness.registry.putWorker(swahili, { domain: DOMAIN, username: 'sw', language: 'sw' });
      await harness.registry.putWorker(hindi, { domain: DOMAIN, username: 'hi', language: 'hi' });
      await harness.registry.putWorker(overridden, { domain: DOMAIN, username: 'pt', language: 'pt' });
      await harness.registry.setMessageTemplate(DOMAIN, 'pt', 'Instale de novo: {}');
      const answer = await harness.reinstall(DOMAIN, auth, usersBody(APP, [french, swahili, hindi, unknown, overridden]));
      expect(answer.status).to.equal(200);
    });

    it('writes each worker\'s first message in their language', () => {
      expect(harness.simulator.inbox(french)[0].text).to.match(/^Veuillez appuyer/);
      expect(harness.simulator.inbox(swahili)[0].text).to.match(/^Tafadhali/);
      expect(harness.simulator.inbox(hindi)[0].text).to.include('इंस्टॉल');
    });

    it('sends non-GSM text as unicode and Latin text as text', () => {
      expect(harness.simulator.inbox(hindi)[0].type).to.equal('unicode');
      expect(harness.simulator.inbox(french)[0].type).to.equal('text');
      expect(harness.simulator.inbox(french)[1].type).to.equal('text');
    });

    it('uses the project default language for unregistered numbers', () => {
      expect(harness.simulator.inbox(unknown)[0].text).to.match(/^Please tap/);
    });

    it('prefers the project\'s own text for a language', () => {
      expect(harness.simulator.inbox(overridden)[0].text).to.equal(`Instale de novo: ${PLAY_LINK}`);
    });

    it('uses a custom reinstall_message for everyone, as unicode when needed', async () => {
      const [target] = validNumbers(1, 3300);
      await harness.registry.putWorker(target, { domain: DOMAIN, username: 'x', language: 'fr' });
      const answer = await harness.reinstall(DOMAIN, auth, usersBody(APP, [target], { reinstall_message: 'Установите: {}' }));
      expect(answer.status).to.equal(200);
      const [first] = harness.simulator.inbox(target);
      expect(first.text).to.equal(`Установите: ${PLAY_LINK}`);
      expect(first.type).to.equal('unicode');
    });
  });

  describe('when the gateway fails for a while', () => {
    it('retries a throttled second message without resending the first', async () => {
      const [number] = validNumbers(1, 3400);
      harness.simulator.setFaults({ scripted: { [number]: ['ok', 'throttle', '5xx', 'ok'] } });
      const answer = await harness.reinstall(DOMAIN, auth, usersBody(APP, [number]));
      expect(answer.body).to.deep.include({ success_numbers: [number] });
      const inbox = harness.simulator.inbox(number);
      expect(inbox.map((message) => message.clientRef?.split(':')[2])).to.deep.equal(['1', '2']);
    });

    it('resends a timed-out message only after the receipt timeout', async () => {
      const [number] = validNumbers(1, 3410);
      harness.simulator.setFaults({ scripted: { [number]: ['timeout', 'ok', 'ok'] } });
      const started = Date.now();
      const answer = await harness.reinstall(DOMAIN, auth, usersBody(APP, [number]));
      // No delivery receipt comes here, so the message is sent again once
      // UNKNOWN_OUTCOME_TIMEOUT_MS (1.5 s) passes: the phone then has two copies.
      expect(answer.body).to.deep.include({ success_numbers: [number] });
      expect(Date.now() - started).to.be.at.least(1500);
      expect(harness.simulator.inbox(number).map((message) => message.clientRef?.split(':')[2])).to.deep.equal([
        '1',
        '1',
        '2',
      ]);

      const batchId = await latestBatchId(harness);
      const first = await harness.api.services.reinstall.batches.getMessage(batchId, 0, 0);
      expect(first?.status).to.equal('accepted');
      expect(first?.uncertainAttempts).to.equal(1);
      expect(first?.attempts).to.equal(2);
    });

    it('waits out throttling without using attempts', async () => {
      const [number] = validNumbers(1, 3430);
      const throttles = Array.from({ length: 6 }, () => 'throttle');
      harness.simulator.setFaults({ scripted: { [number]: ['ok', ...throttles] } });
      const answer = await harness.reinstall(DOMAIN, auth, usersBody(APP, [number]));
      // Six throttles exceed SEND_ATTEMPTS (4), which only failures use up.
      expect(answer.body).to.deep.include({ success_numbers: [number] });
      expect(harness.simulator.inbox(number)).to.have.length(2);
    });

    it('gives up after the last attempt', async () => {
      const [number] = validNumbers(1, 3420);
      harness.simulator.setFaults({ scripted: { [number]: ['5xx', '5xx', '5xx', '5xx'] } });
      const answer = await harness.reinstall(DOMAIN, auth, usersBody(APP, [number]));
      expect(answer.body).to.deep.include({ error_numbers: [number] });
      expect(harness.simulator.inbox(number)).to.deep.equal([]);
    });
  });

  describe('when the gateway rejects a number for good', () => {
    it('puts it in error_numbers after one attempt', async () => {
      const [rejected, fine] = validNumbers(2, 3500);
      harness.simulator.setFaults({ rejectNumbers: { [rejected]: '6' } });
      const before = harness.simulator.stats();
      const answer = await harness.reinstall(DOMAIN, auth, usersBody(APP, [rejected, fine]));
      expect(answer.body).to.deep.equal({
        success_numbers: [fine],
        invalid_format_numbers: [],
        error_numbers: [rejected],
      });
      const after = harness.simulator.stats();
      expect(after.rejected - before.rejected).to.equal(1);
    });

    it('stops after a rejected second message', async () => {
      const [number] = validNumbers(1, 3510);
      harness.simulator.setFaults({ scripted: { [number]: ['ok', '29'] } });
      const answer = await harness.reinstall(DOMAIN, auth, usersBody(APP, [number]));
      expect(answer.body).to.deep.include({ error_numbers: [number] });
      expect(harness.simulator.inbox(number)).to.have.length(1);
    });
  });

  describe('when the app-info endpoint is asked for something unknown', () => {
    it('answers 404 for an unknown app', async () => {
      const answer = await harness.request('GET', `/a/${DOMAIN}/sms/app_info/nope/`);
      expect(answer.status).to.equal(404);
    });

    it('answers 404 for an unknown project', async () => {
      const answer = await harness.request('GET', `/a/nowhere/sms/app_info/${APP}/`);
      expect(answer.status).to.equal(404);
    });
  });
});

async function latestBatchId(harness: ServiceHarness): Promise<string> {
  const keys = await harness.redis.keys(`${harness.prefix}:batch:*:messages`);
  let newest = { id: '', createdAt: '' };
  for (const key of keys) {
    const id = key.split(':')[2];
    const createdAt = (await harness.redis.hget(harness.keys.batch(id), 'createdAt')) ?? '';
    if (createdAt > newest.createdAt) newest = { id, createdAt };
  }
  await waitFor(() => newest.id !== '', 'a batch with message records');
  return newest.id;
}
