import { Auth } from '@vonage/auth';
import { Vonage } from '@vonage/server-sdk';
import { expect } from 'chai';

import {
  GatewaySimulator,
  type GatewaySimulatorOptions,
} from '../simulator/gateway-simulator.js';
import { InvalidFaultSettingsError } from '../simulator/fault-settings.js';
import { WebhookReceiver } from './support/webhook-receiver.js';

const API_KEY = 'test-key';
const API_SECRET = 'test-secret';
const NUMBER = '15555550100';
const OTHER_NUMBER = '15555550199';

// Simulators started by the running test, closed in afterEach.
const running: GatewaySimulator[] = [];

async function startSimulator(
  options: Partial<GatewaySimulatorOptions> = {},
): Promise<{ simulator: GatewaySimulator; url: string }> {
  const simulator = new GatewaySimulator({ apiKey: API_KEY, apiSecret: API_SECRET, ...options });
  running.push(simulator);
  const { url } = await simulator.listen(0);
  return { simulator, url };
}

function vonageClient(url: string, options: { apiSecret?: string; timeout?: number } = {}): Vonage {
  const auth = new Auth({ apiKey: API_KEY, apiSecret: options.apiSecret ?? API_SECRET });
  return new Vonage(auth, { restHost: url, timeout: options.timeout ?? 2000 });
}

function sendSms(
  vonage: Vonage,
  fields: { to?: string; text?: string; type?: 'text' | 'unicode'; clientRef?: string } = {},
): ReturnType<Vonage['sms']['send']> {
  return vonage.sms.send({
    to: fields.to ?? NUMBER,
    from: 'CommCare',
    text: fields.text ?? 'Install CommCare',
    ...(fields.type === undefined ? {} : { type: fields.type as never }),
    ...(fields.clientRef === undefined ? {} : { clientRef: fields.clientRef }),
  });
}

// Resolves with whatever `promise` rejects with, and fails the test if it resolves.
async function rejectionOf(promise: Promise<unknown>): Promise<any> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  expect.fail('expected the promise to reject');
}

// Returns whatever `call` throws, and fails the test if it returns.
function errorThrownBy(call: () => unknown): any {
  try {
    call();
  } catch (error) {
    return error;
  }
  expect.fail('expected the call to throw');
}

function basicAuthorization(apiSecret = API_SECRET): string {
  return `Basic ${Buffer.from(`${API_KEY}:${apiSecret}`).toString('base64')}`;
}

async function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = { authorization: basicAuthorization() },
): Promise<{ status: number; body: any }> {
  const response = await fetch(`${url}/sms/json`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

async function putFaults(
  url: string,
  body: string,
  contentType = 'application/json',
): Promise<{ status: number; body: any }> {
  const response = await fetch(`${url}/faults`, {
    method: 'PUT',
    headers: { 'content-type': contentType },
    body,
  });
  return { status: response.status, body: await response.json() };
}

async function getJson(url: string): Promise<any> {
  const response = await fetch(url);
  expect(response.status).to.equal(200);
  return response.json();
}

describe('GatewaySimulator', () => {
  afterEach(async () => {
    await Promise.all(running.splice(0).map((simulator) => simulator.close()));
  });

  describe('when a message is accepted', () => {
    it('returns string fields', async () => {
      const { url } = await startSimulator();

      const response = await sendSms(vonageClient(url), { to: `+${NUMBER}`, clientRef: 'r-1' });

      expect(response.messageCount).to.equal('1');
      expect(response.messages).to.have.length(1);
      const [message] = response.messages;
      expect(message!.status).to.equal('0');
      expect(message!.to).to.equal(NUMBER);
      expect(message!.messageId).to.be.a('string').and.not.equal('');
      expect(message!.remainingBalance).to.equal('10.00000000');
      expect(message!.messagePrice).to.equal('0.03330000');
      expect(message!.network).to.equal('12345');
      expect(message!.clientRef).to.equal('r-1');
    });

    it('stores messages oldest first', async () => {
      const { simulator, url } = await startSimulator();
      const vonage = vonageClient(url);

      const first = await sendSms(vonage, { text: 'first', clientRef: 'a' });
      await sendSms(vonage, { text: 'second' });
      await sendSms(vonage, { text: 'third' });

      const stored = simulator.inbox(NUMBER);
      expect(stored.map((message) => message.text)).to.deep.equal(['first', 'second', 'third']);
      expect(stored[0]).to.include({
        from: 'CommCare',
        to: NUMBER,
        type: 'text',
        clientRef: 'a',
        messageId: first.messages[0]!.messageId,
      });
      expect(stored[1]!.clientRef).to.equal(null);
      expect(Date.parse(stored[0]!.receivedAt)).to.not.be.NaN;
      const overHttp = await getJson(`${url}/inbox/${encodeURIComponent(`+${NUMBER}`)}`);
      expect(overHttp).to.deep.equal(stored);
      expect(await getJson(`${url}/inbox/${OTHER_NUMBER}`)).to.deep.equal([]);
    });

    it('lists and clears all inboxes', async () => {
      const { simulator, url } = await startSimulator();
      const vonage = vonageClient(url);
      await sendSms(vonage, { to: NUMBER });
      await sendSms(vonage, { to: OTHER_NUMBER });

      const all = await getJson(`${url}/inbox`);
      expect(Object.keys(all).sort()).to.deep.equal([NUMBER, OTHER_NUMBER]);
      expect(all[NUMBER]).to.have.length(1);

      const cleared = await fetch(`${url}/inbox`, { method: 'DELETE' });
      expect(cleared.status).to.equal(204);
      expect(await getJson(`${url}/inbox`)).to.deep.equal({});
      expect(simulator.inbox(NUMBER)).to.deep.equal([]);
    });
  });

  describe('when the text needs several segments', () => {
    it('returns one entry per GSM-7 segment', async () => {
      const { simulator, url } = await startSimulator();

      const response = await sendSms(vonageClient(url), { text: 'a'.repeat(161) });

      expect(response.messageCount).to.equal('2');
      expect(response.messages).to.have.length(2);
      const ids = response.messages.map((message) => message.messageId);
      expect(new Set(ids).size).to.equal(2);
      const stored = simulator.inbox(NUMBER);
      expect(stored).to.have.length(1);
      expect(stored[0]!.messageId).to.equal(ids[0]);
    });

    it('counts extension characters twice', async () => {
      const { url } = await startSimulator();

      const response = await sendSms(vonageClient(url), { text: '{'.repeat(81) });

      expect(response.messageCount).to.equal('2');
    });
  });

  describe('when the type is unicode', () => {
    it('counts UTF-16 code units', async () => {
      const { simulator, url } = await startSimulator();
      const vonage = vonageClient(url);

      const single = await sendSms(vonage, { text: 'अ'.repeat(70), type: 'unicode' });
      const double = await sendSms(vonage, { text: 'अ'.repeat(71), type: 'unicode' });

      expect(single.messageCount).to.equal('1');
      expect(double.messageCount).to.equal('2');
      expect(simulator.inbox(NUMBER).map((message) => message.type))
        .to.deep.equal(['unicode', 'unicode']);
    });

    it('counts GSM text by the requested type', async () => {
      const { url } = await startSimulator();
      const vonage = vonageClient(url);

      const asUnicode = await sendSms(vonage, { text: 'a'.repeat(71), type: 'unicode' });
      const asText = await sendSms(vonage, { text: 'a'.repeat(71), type: 'text' });

      expect(asUnicode.messageCount).to.equal('2');
      expect(asText.messageCount).to.equal('1');
    });
  });

  describe('when the body is form-encoded', () => {
    async function postForm(url: string, apiSecret: string): Promise<any> {
      const form = new URLSearchParams({
        api_key: API_KEY,
        api_secret: apiSecret,
        from: 'CommCare',
        to: NUMBER,
        text: 'Install CommCare',
        'client-ref': 'form-1',
      });
      const response = await fetch(`${url}/sms/json`, { method: 'POST', body: form });
      expect(response.status).to.equal(200);
      return response.json();
    }

    it('accepts credentials in body fields', async () => {
      const { simulator, url } = await startSimulator();

      const body = await postForm(url, API_SECRET);

      expect(body['message-count']).to.equal('1');
      expect(body.messages[0].status).to.equal('0');
      expect(body.messages[0]['client-ref']).to.equal('form-1');
      expect(simulator.inbox(NUMBER)).to.have.length(1);
    });

    it('returns status 4 for a wrong secret', async () => {
      const { simulator, url } = await startSimulator();

      const body = await postForm(url, 'wrong');

      expect(body).to.deep.equal({
        'message-count': '1',
        messages: [{ status: '4', 'error-text': 'Bad Credentials' }],
      });
      expect(simulator.inbox(NUMBER)).to.deep.equal([]);
    });
  });

  describe('when credentials are wrong', () => {
    it('raises status 4 in the SDK', async () => {
      const { simulator, url } = await startSimulator();

      const error = await rejectionOf(sendSms(vonageClient(url, { apiSecret: 'wrong' })));

      // @vonage/sms 1.21.0 compares the string message-count with a number, so a response
      // where every entry failed still raises MessageSendPartialFailure.
      expect(error.constructor.name).to.equal('MessageSendPartialFailure');
      expect(error.response.messages[0].status).to.equal('4');
      expect(simulator.inbox(NUMBER)).to.deep.equal([]);
      expect(simulator.stats().rejected).to.equal(1);
    });

    it('returns status 4 without credentials', async () => {
      const { url } = await startSimulator();

      const reply = await postJson(url, { from: 'a', to: NUMBER, text: 'b' }, {});

      expect(reply.status).to.equal(200);
      expect(reply.body.messages[0].status).to.equal('4');
    });
  });

  describe('when fields are missing or invalid', () => {
    const cases: Array<{ name: string; body: Record<string, unknown>; status: string }> = [
      { name: 'missing from', body: { to: NUMBER, text: 'x' }, status: '2' },
      { name: 'missing to', body: { from: 'a', text: 'x' }, status: '2' },
      { name: 'empty text', body: { from: 'a', to: NUMBER, text: '' }, status: '2' },
      { name: 'letters in to', body: { from: 'a', to: '555-0100', text: 'x' }, status: '3' },
      { name: 'numeric to', body: { from: 'a', to: 15555550100, text: 'x' }, status: '3' },
      { name: 'binary type', body: { from: 'a', to: NUMBER, text: 'x', type: 'binary' },
        status: '3' },
      { name: 'numeric client-ref', body: { from: 'a', to: NUMBER, text: 'x', 'client-ref': 1 },
        status: '3' },
    ];

    for (const { name, body, status } of cases) {
      it(`returns status ${status} for ${name}`, async () => {
        const { simulator, url } = await startSimulator();

        const reply = await postJson(url, body);

        expect(reply.status).to.equal(200);
        expect(reply.body['message-count']).to.equal('1');
        expect(reply.body.messages[0].status).to.equal(status);
        expect(reply.body.messages[0]['error-text']).to.be.a('string');
        expect(simulator.inboxes()).to.deep.equal({});
      });
    }
  });

  describe('when a throttle share is set', () => {
    it('throttles requests the random source selects', async () => {
      const draws = [0.1, 0.9, 0.49, 0.5];
      const { simulator, url } = await startSimulator({ random: () => draws.shift()! });
      simulator.setFaults({ throttleShare: 0.5 });
      const vonage = vonageClient(url);

      const outcomes: string[] = [];
      for (let i = 0; i < 4; i += 1) {
        try {
          await sendSms(vonage, { text: `message ${i}` });
          outcomes.push('0');
        } catch (error: any) {
          outcomes.push(error.response.messages[0].status);
        }
      }

      expect(outcomes).to.deep.equal(['1', '0', '1', '0']);
      expect(simulator.inbox(NUMBER).map((message) => message.text))
        .to.deep.equal(['message 1', 'message 3']);
      expect(simulator.stats()).to.include({ totalRequests: 4, throttled: 2, accepted: 2 });
    });

    it('raises status 1 as MessageSendPartialFailure', async () => {
      const { url } = await startSimulator();
      await putFaults(url, JSON.stringify({ throttleShare: 1 }));

      const error = await rejectionOf(sendSms(vonageClient(url)));

      expect(error.constructor.name).to.equal('MessageSendPartialFailure');
      expect(error.response.messageCount).to.equal('1');
      expect(error.response.messages[0]).to.include({ status: '1', errorText: 'Throttled' });
    });
  });

  describe('when a server error share is set', () => {
    it('raises HTTP 500 as VetchError', async () => {
      const { simulator, url } = await startSimulator();
      simulator.setFaults({ serverErrorShare: 1 });

      const error = await rejectionOf(sendSms(vonageClient(url)));

      expect(error.constructor.name).to.equal('VetchError');
      expect(error.message).to.equal('Request failed with status code 500');
      expect(error.response.status).to.equal(500);
      expect(simulator.inbox(NUMBER)).to.deep.equal([]);
      expect(simulator.stats().serverErrors).to.equal(1);
    });

    it('sends a JSON body with the 500', async () => {
      const { simulator, url } = await startSimulator();
      simulator.setFaults({ serverErrorShare: 1 });

      const reply = await postJson(url, { from: 'a', to: NUMBER, text: 'b' });

      expect(reply.status).to.equal(500);
      expect(reply.body.error).to.equal('Internal Server Error');
    });
  });

  describe('when a delay is set', () => {
    it('stores the message although the SDK times out', async () => {
      const { simulator, url } = await startSimulator();
      simulator.setFaults({ delayMs: 2000 });

      const error = await rejectionOf(sendSms(vonageClient(url, { timeout: 200 })));

      expect(error.name).to.equal('AbortError');
      expect(simulator.inbox(NUMBER)).to.have.length(1);
      expect(simulator.stats().accepted).to.equal(1);
    });

    it('responds after the delay', async () => {
      const { simulator, url } = await startSimulator();
      simulator.setFaults({ delayMs: 150 });

      const startedAt = performance.now();
      const response = await sendSms(vonageClient(url));

      expect(performance.now() - startedAt).to.be.at.least(140);
      expect(response.messages[0]!.status).to.equal('0');
    });
  });

  describe('when a number is in rejectNumbers', () => {
    it('always returns the configured status', async () => {
      const { simulator, url } = await startSimulator();
      simulator.setFaults({ rejectNumbers: { [`+${NUMBER}`]: '6' } });
      const vonage = vonageClient(url);

      for (let i = 0; i < 2; i += 1) {
        const error = await rejectionOf(sendSms(vonage));
        expect(error.response.messages[0]).to.include({
          status: '6',
          errorText: 'Invalid Message',
        });
      }
      const other = await sendSms(vonage, { to: OTHER_NUMBER });

      expect(other.messages[0]!.status).to.equal('0');
      expect(simulator.inbox(NUMBER)).to.deep.equal([]);
      expect(simulator.stats()).to.include({ rejected: 2, accepted: 1 });
    });
  });

  describe('when outcomes are scripted', () => {
    it('consumes one outcome per request', async () => {
      const { simulator, url } = await startSimulator({ random: () => 0 });
      simulator.setFaults({ scripted: { [NUMBER]: ['throttle', '5xx', '7', 'ok'] } });
      const vonage = vonageClient(url);

      const throttled = await rejectionOf(sendSms(vonage, { text: 'one' }));
      const serverError = await rejectionOf(sendSms(vonage, { text: 'two' }));
      const barred = await rejectionOf(sendSms(vonage, { text: 'three' }));
      expect(simulator.faults().scripted).to.deep.equal({ [NUMBER]: ['ok'] });
      const accepted = await sendSms(vonage, { text: 'four' });
      const afterScript = await sendSms(vonage, { text: 'five' });

      expect(throttled.response.messages[0].status).to.equal('1');
      expect(serverError.response.status).to.equal(500);
      expect(barred.response.messages[0].status).to.equal('7');
      expect(accepted.messages[0]!.status).to.equal('0');
      expect(afterScript.messages[0]!.status).to.equal('0');
      expect(simulator.faults().scripted).to.deep.equal({});
      expect(simulator.inbox(NUMBER).map((message) => message.text))
        .to.deep.equal(['four', 'five']);
    });

    it('overrides the shares while outcomes remain', async () => {
      const { simulator, url } = await startSimulator({ random: () => 0 });
      simulator.setFaults({ throttleShare: 1, scripted: { [NUMBER]: ['ok'] } });
      const vonage = vonageClient(url);

      const scripted = await sendSms(vonage);
      const unscripted = await rejectionOf(sendSms(vonage));

      expect(scripted.messages[0]!.status).to.equal('0');
      expect(unscripted.response.messages[0].status).to.equal('1');
    });

    it('stores a timeout and responds late', async () => {
      const { simulator, url } = await startSimulator();
      simulator.setFaults({ scripted: { [NUMBER]: ['timeout'] } });

      const error = await rejectionOf(sendSms(vonageClient(url, { timeout: 200 })));

      expect(error.name).to.equal('AbortError');
      expect(simulator.inbox(NUMBER)).to.have.length(1);
      const closeStartedAt = performance.now();
      await simulator.close();
      expect(performance.now() - closeStartedAt).to.be.below(1000);
    });
  });

  describe('when maxPerSecond is set', () => {
    it('throttles requests beyond the rolling second', async () => {
      let clockMs = 0;
      const { simulator, url } = await startSimulator({ now: () => clockMs });
      simulator.setFaults({ maxPerSecond: 2 });
      const vonage = vonageClient(url);

      await sendSms(vonage);
      clockMs = 500;
      await sendSms(vonage);
      const third = await rejectionOf(sendSms(vonage));
      clockMs = 1000;
      const afterFirstLeaves = await rejectionOf(sendSms(vonage));
      clockMs = 1600;
      const afterWindowMoves = await sendSms(vonage);

      expect(third.response.messages[0].status).to.equal('1');
      // At 1000 ms the window still contains the arrivals at 500, 500 and 1000.
      expect(afterFirstLeaves.response.messages[0].status).to.equal('1');
      expect(afterWindowMoves.messages[0]!.status).to.equal('0');
      expect(simulator.stats()).to.include({ accepted: 3, throttled: 2 });
    });
  });

  describe('when requests arrive in bursts', () => {
    it('records the largest rolling-second count', async () => {
      let clockMs = 0;
      const { simulator, url } = await startSimulator({ now: () => clockMs });
      const vonage = vonageClient(url);

      await Promise.all([sendSms(vonage), sendSms(vonage)]);
      clockMs = 600;
      await Promise.all([sendSms(vonage), sendSms(vonage)]);
      clockMs = 1700;
      await sendSms(vonage);

      expect(simulator.stats().maxRequestsPerRollingSecond).to.equal(4);
      expect(await getJson(`${url}/stats`)).to.deep.equal({
        totalRequests: 5,
        accepted: 5,
        throttled: 0,
        serverErrors: 0,
        rejected: 0,
        maxRequestsPerRollingSecond: 4,
      });
    });

    it('counts concurrent requests on the real clock', async () => {
      const { simulator, url } = await startSimulator();
      const vonage = vonageClient(url);

      await Promise.all(Array.from({ length: 5 }, () => sendSms(vonage)));

      expect(simulator.stats().maxRequestsPerRollingSecond).to.equal(5);
    });
  });

  describe('when faults change over HTTP', () => {
    it('returns, merges and resets the settings', async () => {
      const { url } = await startSimulator();

      const first = await putFaults(url, JSON.stringify({ throttleShare: 0.25 }));
      const second = await putFaults(url, JSON.stringify({ delayMs: 10, maxPerSecond: 3 }));

      expect(first.status).to.equal(200);
      expect(first.body.throttleShare).to.equal(0.25);
      expect(second.body).to.include({ throttleShare: 0.25, delayMs: 10, maxPerSecond: 3 });
      expect(await getJson(`${url}/faults`)).to.deep.equal(second.body);
      const reset = await fetch(`${url}/faults`, { method: 'DELETE' });
      expect(reset.status).to.equal(204);
      expect(await getJson(`${url}/faults`)).to.deep.equal({
        throttleShare: 0,
        serverErrorShare: 0,
        delayMs: 0,
        rejectNumbers: {},
        maxPerSecond: null,
        scripted: {},
        receiptUrl: null,
        receiptDelayMs: 50,
        receiptOrder: 'in-order',
        receiptDuplicates: 0,
        receiptStatus: {},
        inboundUrl: null,
      });
    });
  });

  describe('when control input is invalid', () => {
    const cases: Array<{ name: string; body: string; contentType?: string; mention: string }> = [
      { name: 'malformed JSON', body: '{"throttleShare": ', mention: 'not valid JSON' },
      { name: 'an array body', body: '[]', mention: 'JSON object' },
      { name: 'a text body', body: 'throttleShare=1', contentType: 'text/plain',
        mention: 'Content-Type: application/json' },
      { name: 'an unknown field', body: '{"throtleShare": 0.5}', mention: 'throtleShare' },
      { name: 'a share above 1', body: '{"throttleShare": 1.5}', mention: 'throttleShare' },
      { name: 'a negative share', body: '{"serverErrorShare": -0.1}',
        mention: 'serverErrorShare' },
      { name: 'a share as a string', body: '{"throttleShare": "0.5"}', mention: 'throttleShare' },
      { name: 'a fractional delay', body: '{"delayMs": 1.5}', mention: 'delayMs' },
      { name: 'a delay as text', body: '{"delayMs": "abc"}', mention: 'delayMs' },
      { name: 'a zero rate limit', body: '{"maxPerSecond": 0}', mention: 'maxPerSecond' },
      { name: 'a letter number key', body: '{"rejectNumbers": {"abc": "6"}}',
        mention: 'rejectNumbers' },
      { name: 'a success status', body: '{"rejectNumbers": {"155": "0"}}',
        mention: 'rejectNumbers["155"]' },
      { name: 'a script that is no array', body: '{"scripted": {"155": "throttle"}}',
        mention: 'scripted["155"]' },
      { name: 'an unknown outcome', body: '{"scripted": {"155": ["ok", "explode"]}}',
        mention: 'scripted["155"][1]' },
    ];

    for (const { name, body, contentType, mention } of cases) {
      it(`rejects ${name} with 400`, async () => {
        const { simulator, url } = await startSimulator();

        const reply = await putFaults(url, body, contentType);

        expect(reply.status).to.equal(400);
        expect(reply.body.error).to.include(mention);
        expect(simulator.faults().throttleShare).to.equal(0);
      });
    }

    it('throws from setFaults on a bad share', async () => {
      const simulator = new GatewaySimulator({ apiKey: API_KEY, apiSecret: API_SECRET });

      const error = errorThrownBy(() => simulator.setFaults({ throttleShare: 2 }));

      expect(error).to.be.instanceOf(InvalidFaultSettingsError);
      expect(error.field).to.equal('throttleShare');
      expect(error.message).to.include('from 0 to 1');
      expect(simulator.faults().throttleShare).to.equal(0);
    });

    it('rejects a letter inbox number', async () => {
      const { url } = await startSimulator();

      const response = await fetch(`${url}/inbox/abc`);

      expect(response.status).to.equal(400);
      expect(((await response.json()) as { error: string }).error).to.include('"abc"');
    });

    it('returns 404 for unknown routes', async () => {
      const { url } = await startSimulator();

      const response = await fetch(`${url}/sms/xml`, { method: 'POST' });

      expect(response.status).to.equal(404);
      expect(((await response.json()) as { error: string }).error).to.include('POST /sms/json');
    });

    it('rejects malformed SMS JSON and keeps serving', async () => {
      const { simulator, url } = await startSimulator();

      const reply = await postJson(url, '{"to": ');
      const response = await sendSms(vonageClient(url));

      expect(reply.status).to.equal(400);
      expect(reply.body.error).to.include('not valid JSON');
      expect(response.messages[0]!.status).to.equal('0');
      expect(simulator.stats()).to.include({ totalRequests: 2, rejected: 1, accepted: 1 });
    });
  });

  describe('when the simulator closes', () => {
    it('drops keep-alive connections', async () => {
      const { simulator, url } = await startSimulator();
      await sendSms(vonageClient(url));
      await getJson(`${url}/stats`);

      const startedAt = performance.now();
      await simulator.close();

      expect(performance.now() - startedAt).to.be.below(1000);
      const error = await rejectionOf(fetch(`${url}/stats`));
      expect(error).to.be.instanceOf(TypeError);
    });
  });
});

describe('GatewaySimulator webhooks', () => {
  const RECEIPT_FIELDS = [
    'msisdn', 'to', 'network-code', 'messageId', 'price', 'status', 'scts', 'err-code',
    'api-key', 'client-ref', 'message-timestamp',
  ];
  let receiver: WebhookReceiver;

  beforeEach(async () => {
    receiver = await new WebhookReceiver().start();
  });

  afterEach(async () => {
    await Promise.all(running.splice(0).map((simulator) => simulator.close()));
    await receiver.close();
  });

  async function startWithReceipts(
    settings: Record<string, unknown> = {},
    options: Partial<GatewaySimulatorOptions> = {},
  ): Promise<{ simulator: GatewaySimulator; url: string }> {
    const started = await startSimulator(options);
    started.simulator.setFaults({ receiptUrl: receiver.url(), receiptDelayMs: 0, ...settings });
    return started;
  }

  const statusesOf = (messageId: string | undefined) =>
    receiver.received
      .filter((hook) => hook.body.messageId === messageId)
      .map((hook) => hook.body.status);

  describe('when receipts are off', () => {
    it('sends none by default', async () => {
      const { simulator, url } = await startSimulator();
      simulator.setFaults({ receiptDelayMs: 0 });

      await sendSms(vonageClient(url));
      await new Promise((resolve) => setTimeout(resolve, 200));

      expect(simulator.faults().receiptUrl).to.equal(null);
      expect(receiver.attempts).to.equal(0);
    });
  });

  describe('when a message is accepted', () => {
    it('posts accepted then delivered in Vonage shape', async () => {
      const { url } = await startWithReceipts();

      const response = await sendSms(vonageClient(url), { to: `+${NUMBER}`, clientRef: 'r-1' });
      const [accepted, delivered] = await receiver.waitForCount(2);

      const messageId = response.messages[0]!.messageId;
      expect(Object.keys(accepted!.body).sort()).to.deep.equal([...RECEIPT_FIELDS].sort());
      expect(accepted!.contentType).to.match(/^application\/json/);
      expect(accepted!.body).to.include({
        msisdn: NUMBER,
        to: 'CommCare',
        'network-code': '12345',
        messageId,
        price: '0.03330000',
        status: 'accepted',
        'err-code': '0',
        'api-key': API_KEY,
        'client-ref': 'r-1',
      });
      expect(accepted!.body.scts).to.match(/^\d{10}$/);
      expect(accepted!.body['message-timestamp']).to.match(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
      expect(delivered!.body).to.include({ messageId, status: 'delivered', 'err-code': '0' });
    });

    it('leaves out client-ref when none was sent', async () => {
      const { url } = await startWithReceipts();

      await sendSms(vonageClient(url));
      const [receipt] = await receiver.waitForCount(1);

      expect(receipt!.body).to.not.have.property('client-ref');
    });

    it('posts to the URL with its query string', async () => {
      const { simulator, url } = await startWithReceipts();
      simulator.setFaults({ receiptUrl: receiver.url('/dlr?secret=s3cret') });

      await sendSms(vonageClient(url));
      const [receipt] = await receiver.waitForCount(1);

      expect(receipt!.path).to.equal('/dlr?secret=s3cret');
    });

    it('sends receipts for each segment', async () => {
      const { url } = await startWithReceipts();

      const response = await sendSms(vonageClient(url), { text: 'a'.repeat(161) });
      await receiver.waitForCount(4);

      const ids = response.messages.map((message) => message!.messageId);
      expect(ids).to.have.length(2);
      for (const id of ids) {
        expect(statusesOf(id), id).to.deep.equal(['accepted', 'delivered']);
      }
    });

    it('waits receiptDelayMs before each receipt', async () => {
      const { url } = await startWithReceipts({ receiptDelayMs: 150 });

      const sentAt = performance.now();
      await sendSms(vonageClient(url));
      await receiver.waitForCount(1);
      const firstAfterMs = performance.now() - sentAt;
      await receiver.waitForCount(2);

      expect(firstAfterMs).to.be.at.least(140);
      expect(performance.now() - sentAt).to.be.at.least(290);
    });
  });

  describe('when final statuses are set per number', () => {
    const finals = [
      { status: 'failed', errCode: '8' },
      { status: 'expired', errCode: '1' },
      { status: 'rejected', errCode: '6' },
    ];

    for (const { status, errCode } of finals) {
      it(`sends ${status} with err-code ${errCode}`, async () => {
        const { url } = await startWithReceipts({ receiptStatus: { [`+${NUMBER}`]: status } });

        await sendSms(vonageClient(url));
        const [, final] = await receiver.waitForCount(2);

        expect(final!.body).to.include({ status, 'err-code': errCode, msisdn: NUMBER });
      });
    }

    it('sends delivered to numbers not listed', async () => {
      const { url } = await startWithReceipts({ receiptStatus: { [NUMBER]: 'failed' } });

      await sendSms(vonageClient(url), { to: OTHER_NUMBER });
      const [, final] = await receiver.waitForCount(2);

      expect(final!.body).to.include({ status: 'delivered', msisdn: OTHER_NUMBER });
    });
  });

  describe('when receipts are shuffled or duplicated', () => {
    it('can send the final receipt first', async () => {
      // With 0 from the random source the shuffle swaps the two receipts.
      const { url } = await startWithReceipts({ receiptOrder: 'shuffled' }, { random: () => 0 });

      await sendSms(vonageClient(url));
      const received = await receiver.waitForCount(2);

      expect(received.map((hook) => hook.body.status)).to.deep.equal(['delivered', 'accepted']);
    });

    it('keeps the order with a random source of 0.99', async () => {
      const { url } = await startWithReceipts({ receiptOrder: 'shuffled' }, { random: () => 0.99 });

      await sendSms(vonageClient(url));
      const received = await receiver.waitForCount(2);

      expect(received.map((hook) => hook.body.status)).to.deep.equal(['accepted', 'delivered']);
    });

    it('sends every receipt twice at share 1', async () => {
      const { url } = await startWithReceipts({ receiptDuplicates: 1 });

      const response = await sendSms(vonageClient(url));
      await receiver.waitForCount(4);

      expect(statusesOf(response.messages[0]!.messageId))
        .to.deep.equal(['accepted', 'accepted', 'delivered', 'delivered']);
    });
  });

  describe('when the client times out', () => {
    it('still sends the receipts', async () => {
      const { simulator, url } = await startWithReceipts();
      simulator.setFaults({ scripted: { [NUMBER]: ['timeout'] } });

      const error = await rejectionOf(sendSms(vonageClient(url, { timeout: 200 })));
      const received = await receiver.waitForCount(2);

      expect(error.name).to.equal('AbortError');
      const [stored] = simulator.inbox(NUMBER);
      const ids = received.map((hook) => hook.body.messageId);
      expect(ids).to.deep.equal([stored!.messageId, stored!.messageId]);
      expect(received.map((hook) => hook.body.status)).to.deep.equal(['accepted', 'delivered']);
    });
  });

  describe('when the receiver fails', () => {
    it('retries a receipt that got HTTP 500', async () => {
      const { url } = await startWithReceipts();
      receiver.failuresLeft = 2;

      await sendSms(vonageClient(url));
      const received = await receiver.waitForCount(2);

      expect(received.map((hook) => hook.body.status)).to.deep.equal(['accepted', 'delivered']);
      expect(receiver.attempts).to.equal(4);
    });

    it('gives up after four attempts and moves on', async () => {
      const { url } = await startWithReceipts();
      receiver.failuresLeft = 4;

      await sendSms(vonageClient(url));
      const [final] = await receiver.waitForCount(1);

      expect(final!.body.status).to.equal('delivered');
      expect(receiver.attempts).to.equal(5);
    });

    it('keeps serving when the URL refuses connections', async () => {
      const { simulator, url } = await startWithReceipts();
      const refusedUrl = receiver.url();
      await receiver.close();
      simulator.setFaults({ receiptUrl: refusedUrl });

      await sendSms(vonageClient(url));
      await new Promise((resolve) => setTimeout(resolve, 300));
      const second = await sendSms(vonageClient(url));

      expect(second.messages[0]!.status).to.equal('0');
      expect(simulator.stats().accepted).to.equal(2);
    });
  });

  describe('when the simulator closes', () => {
    it('drops receipts still waiting', async () => {
      const { simulator, url } = await startWithReceipts({ receiptDelayMs: 300 });

      await sendSms(vonageClient(url));
      const closeStartedAt = performance.now();
      await simulator.close();
      const closeMs = performance.now() - closeStartedAt;
      await new Promise((resolve) => setTimeout(resolve, 500));

      expect(closeMs).to.be.below(200);
      expect(receiver.attempts).to.equal(0);
    });
  });

  describe('when webhook settings are invalid', () => {
    const cases: Array<{ name: string; body: unknown; mention: string }> = [
      { name: 'a receiptUrl that is no URL', body: { receiptUrl: 'not a url' },
        mention: 'receiptUrl' },
      { name: 'an ftp receiptUrl', body: { receiptUrl: 'ftp://127.0.0.1/x' },
        mention: 'http or https' },
      { name: 'a numeric receiptUrl', body: { receiptUrl: 5 }, mention: 'receiptUrl' },
      { name: 'a negative receiptDelayMs', body: { receiptDelayMs: -1 },
        mention: 'receiptDelayMs' },
      { name: 'an unknown receiptOrder', body: { receiptOrder: 'random' },
        mention: 'receiptOrder' },
      { name: 'a receiptDuplicates above 1', body: { receiptDuplicates: 1.5 },
        mention: 'receiptDuplicates' },
      { name: 'an unknown final status', body: { receiptStatus: { 155: 'lost' } },
        mention: 'receiptStatus["155"]' },
      { name: 'an accepted final status', body: { receiptStatus: { 155: 'accepted' } },
        mention: 'receiptStatus["155"]' },
      { name: 'a letter receiptStatus key', body: { receiptStatus: { abc: 'failed' } },
        mention: 'receiptStatus' },
      { name: 'an inboundUrl that is no URL', body: { inboundUrl: '/inbound' },
        mention: 'inboundUrl' },
    ];

    for (const { name, body, mention } of cases) {
      it(`rejects ${name} with 400`, async () => {
        const { simulator, url } = await startSimulator();

        const reply = await putFaults(url, JSON.stringify(body));

        expect(reply.status).to.equal(400);
        expect(reply.body.error).to.include(mention);
        expect(simulator.faults().receiptUrl).to.equal(null);
      });
    }

    it('accepts and returns valid settings over HTTP', async () => {
      const { url } = await startSimulator();
      const settings = {
        receiptUrl: 'http://127.0.0.1:9/dlr?secret=x',
        receiptDelayMs: 10,
        receiptOrder: 'shuffled',
        receiptDuplicates: 0.5,
        receiptStatus: { [`+${NUMBER}`]: 'expired' },
        inboundUrl: 'https://example.org/inbound',
      };

      const reply = await putFaults(url, JSON.stringify(settings));

      expect(reply.status).to.equal(200);
      const { receiptStatus: _numbersAsSent, ...plainSettings } = settings;
      expect(reply.body).to.include(plainSettings);
      expect(reply.body.receiptStatus).to.deep.equal({ [NUMBER]: 'expired' });
    });
  });

  describe('when an inbound SMS is sent', () => {
    it('posts the Vonage inbound shape', async () => {
      const { simulator, url } = await startSimulator();
      simulator.setFaults({ inboundUrl: receiver.url('/inbound?secret=x') });
      await sendSms(vonageClient(url));

      const sent = await simulator.sendInbound(`+${NUMBER}`, ' stop  sending please');
      const [inbound] = await receiver.waitForCount(1);

      expect(inbound!.path).to.equal('/inbound?secret=x');
      expect(inbound!.body).to.deep.equal(sent);
      expect(Object.keys(inbound!.body).sort()).to.deep.equal(
        ['msisdn', 'to', 'messageId', 'text', 'type', 'keyword', 'message-timestamp', 'api-key']
          .sort(),
      );
      expect(inbound!.body).to.include({
        msisdn: NUMBER,
        to: 'CommCare',
        text: ' stop  sending please',
        type: 'text',
        keyword: 'STOP',
        'api-key': API_KEY,
      });
      expect(inbound!.body.messageId).to.be.a('string').and.not.equal('');
      expect(inbound!.body['message-timestamp']).to.match(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    });

    it('rejects while inboundUrl is null', async () => {
      const { simulator } = await startSimulator();

      const error = await rejectionOf(simulator.sendInbound(NUMBER, 'STOP'));

      expect(error.message).to.include('inboundUrl is null');
    });

    it('rejects when every attempt fails', async () => {
      const { simulator } = await startSimulator();
      simulator.setFaults({ inboundUrl: receiver.url() });
      receiver.failuresLeft = 4;

      const error = await rejectionOf(simulator.sendInbound(NUMBER, 'STOP'));

      expect(error.message).to.include('was not accepted');
      expect(receiver.attempts).to.equal(4);
    });

    it('is sent through POST /inbound', async () => {
      const { url } = await startSimulator();
      await putFaults(url, JSON.stringify({ inboundUrl: receiver.url() }));

      const response = await fetch(`${url}/inbound`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ from: OTHER_NUMBER, text: 'Stop' }),
      });
      const [inbound] = await receiver.waitForCount(1);

      expect(response.status).to.equal(200);
      expect(inbound!.body).to.include({ msisdn: OTHER_NUMBER, keyword: 'STOP', to: 'CommCare' });
    });

    it('rejects POST /inbound without a from', async () => {
      const { url } = await startSimulator();

      const response = await fetch(`${url}/inbound`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text: 'STOP' }),
      });

      expect(response.status).to.equal(400);
      expect(receiver.attempts).to.equal(0);
    });
  });
});
