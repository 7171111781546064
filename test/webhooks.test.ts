import { expect } from 'chai';
import { validNumbers } from './support/phone-numbers.js';
import { ServiceHarness, usersBody } from './support/service-harness.js';
import { waitFor } from './support/wait-for.js';

const DOMAIN = 'hooks';
const APP = 'app1';
const SECRET = 'hook-secret-for-tests';

describe('vonage webhooks', () => {
  const harness = new ServiceHarness({
    env: { WEBHOOK_SECRET: SECRET, GATEWAY_TIMEOUT_MS: '1000', UNKNOWN_RECHECK_MS: '100' },
  });
  let auth: string;
  let receiptUrl: string;

  before(async () => {
    await harness.start();
    auth = await harness.addProject(DOMAIN, APP);
    receiptUrl = `${harness.baseUrl}/webhooks/vonage/delivery-receipt?secret=${SECRET}`;
  });

  afterEach(() => harness.simulator.resetFaults());
  after(() => harness.stop());

  const post = (path: string, body: unknown) =>
    fetch(`${harness.baseUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  describe('when a receipt carries no or a wrong secret', () => {
    it('answers 401', async () => {
      expect((await post('/webhooks/vonage/delivery-receipt', {})).status).to.equal(401);
      expect((await post('/webhooks/vonage/delivery-receipt?secret=nope', {})).status).to.equal(401);
    });
  });

  describe('when receipts arrive twice and out of order', () => {
    it('keeps the final status of each message', async () => {
      const numbers = validNumbers(20, 5000, '214');
      const failing = numbers[0];
      harness.simulator.setFaults({
        receiptUrl,
        receiptOrder: 'shuffled',
        receiptDuplicates: 1,
        receiptDelayMs: 5,
        receiptStatus: { [failing]: 'failed' },
      });
      const answer = await harness.reinstall(DOMAIN, auth, usersBody(APP, numbers), { prefer: 'respond-async' });
      const batchId = (answer.body as { batch_id: string }).batch_id;
      const batches = harness.api.services.reinstall.batches;

      // Each message gets accepted and a final status, each twice, in a random order.
      await waitFor(async () => {
        const receipts = await Promise.all(numbers.map((_, index) => batches.getReceipt(batchId, index, 1)));
        return receipts.every((receipt) => receipt && receipt.status !== 'accepted');
      }, 'final receipts for every second message', 20_000);
      await new Promise((resolve) => setTimeout(resolve, 200));

      const statuses = await Promise.all(numbers.map((_, index) => batches.getReceipt(batchId, index, 1)));
      expect(statuses[0]?.status).to.equal('failed');
      expect(statuses.slice(1).every((receipt) => receipt?.status === 'delivered')).to.equal(true);
    });
  });

  describe('when a send times out but the gateway took it', () => {
    it('settles it from the receipt without a second copy', async () => {
      const [number] = validNumbers(1, 5100, '214');
      harness.simulator.setFaults({ receiptUrl, scripted: { [number]: ['timeout', 'ok'] } });
      const answer = await harness.reinstall(DOMAIN, auth, usersBody(APP, [number]));
      expect(answer.body).to.deep.include({ success_numbers: [number] });
      expect(harness.simulator.inbox(number).map((message) => message.clientRef?.split(':')[2])).to.deep.equal([
        '1',
        '2',
      ]);
    });
  });

  describe('when a worker replies STOP', () => {
    it('opts the number out of the project that messaged it', async () => {
      const [number] = validNumbers(1, 5200, '214');
      await harness.reinstall(DOMAIN, auth, usersBody(APP, [number]));
      harness.simulator.setFaults({ inboundUrl: `${harness.baseUrl}/webhooks/vonage/inbound?secret=${SECRET}` });
      await harness.simulator.sendInbound(number, 'stop please');

      expect(await harness.registry.areOptedOut(DOMAIN, [number])).to.deep.equal([true]);
      const again = await harness.reinstall(DOMAIN, auth, usersBody(APP, [number]));
      expect(again.body).to.deep.include({ error_numbers: [number] });
    });

    it('ignores other replies', async () => {
      const [number] = validNumbers(1, 5300, '214');
      await harness.reinstall(DOMAIN, auth, usersBody(APP, [number]));
      harness.simulator.setFaults({ inboundUrl: `${harness.baseUrl}/webhooks/vonage/inbound?secret=${SECRET}` });
      await harness.simulator.sendInbound(number, 'thanks, installed');
      expect(await harness.registry.areOptedOut(DOMAIN, [number])).to.deep.equal([false]);
    });
  });
});
