import { expect } from 'chai';
import { validNumbers } from './support/phone-numbers.js';
import { ServiceHarness, usersBody } from './support/service-harness.js';

const DOMAIN = 'observe';
const APP = 'app1';

describe('observability', () => {
  describe('when workers are running', () => {
    const harness = new ServiceHarness();
    let auth: string;

    before(async () => {
      await harness.start();
      auth = await harness.addProject(DOMAIN, APP);
      const [sent, rejected] = validNumbers(2, 8500);
      harness.simulator.setFaults({ rejectNumbers: { [rejected]: '6' } });
      await harness.reinstall(DOMAIN, auth, usersBody(APP, [sent, rejected]));
    });

    after(() => harness.stop());

    it('answers /healthz', async () => {
      const answer = await harness.request('GET', '/healthz');
      expect(answer.status).to.equal(200);
    });

    it('reports ready with the worker count', async () => {
      const answer = await harness.request('GET', '/readyz');
      expect(answer.status).to.equal(200);
      expect(answer.body).to.deep.include({ status: 'ready', redis: 'ok' });
      expect((answer.body as { workers: number }).workers).to.be.at.least(1);
    });

    it('exposes request, queue and delivery metrics', async () => {
      const answer = await harness.request('GET', '/metrics');
      expect(answer.status).to.equal(200);
      expect(answer.headers.get('content-type')).to.match(/^text\/plain/);
      const text = answer.text;
      expect(text).to.match(
        /http_requests_total\{method="POST",route="\/a\/:domain\/api\/:version\/sms_user_registration_reinstall",status="200"\} 1/,
      );
      expect(text).to.match(/http_request_duration_seconds_bucket\{le="0.005",method="POST"/);
      expect(text).to.match(/reinstall_sms_total\{result="sent",status_code="0"\} 2/);
      expect(text).to.match(/reinstall_sms_total\{result="failed",status_code="6"\} 1/);
      expect(text).to.match(/reinstall_jobs\{state="completed"\} 2/);
      expect(text).to.match(/reinstall_queue_depth 0/);
      expect(text).to.match(/reinstall_batch_settle_seconds_count 1/);
      expect(text).to.match(/reinstall_batch_settle_seconds_bucket\{le="\+Inf"\} 1/);
    });

    it('echoes a sane X-Request-Id and replaces others', async () => {
      const kept = await harness.request('GET', '/healthz', { headers: { 'x-request-id': 'trace-123' } });
      expect(kept.headers.get('x-request-id')).to.equal('trace-123');
      const replaced = await harness.request('GET', '/healthz', { headers: { 'x-request-id': 'bad id!' } });
      expect(replaced.headers.get('x-request-id')).to.match(/^[0-9a-f-]{36}$/);
    });
  });

  describe('when no worker is connected', () => {
    const harness = new ServiceHarness({ withoutWorker: true });

    before(() => harness.start());
    after(() => harness.stop());

    it('reports not ready', async () => {
      const answer = await harness.request('GET', '/readyz');
      expect(answer.status).to.equal(503);
      expect(answer.body).to.deep.include({ status: 'not_ready', workers: 0 });
    });
  });
});
