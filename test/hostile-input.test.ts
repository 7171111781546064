import { expect } from 'chai';
import net from 'node:net';
import { ServiceHarness } from './support/service-harness.js';

const DOMAIN = 'hostile';
const APP = 'app1';
const PATH = `/a/${DOMAIN}/api/v0_5/sms_user_registration_reinstall/`;

describe('hostile input', () => {
  const harness = new ServiceHarness();
  let auth: string;

  before(async () => {
    await harness.start();
    auth = await harness.addProject(DOMAIN, APP);
  });

  after(() => harness.stop());

  describe('when bodies are hostile', () => {
    const deep = `${'['.repeat(20_000)}${']'.repeat(20_000)}`;
    const bodies: { name: string; body: string }[] = [
      { name: 'a __proto__ key', body: '{"__proto__": {"app_id": "app1", "users": [{"phone_number": "1"}]}}' },
      { name: 'a constructor.prototype key', body: '{"constructor": {"prototype": {"users": []}}, "app_id": "app1"}' },
      { name: '__proto__ inside a user', body: '{"app_id": "app1", "users": [{"__proto__": {"phone_number": "16175551234"}}]}' },
      { name: 'deeply nested arrays', body: deep },
      { name: 'deeply nested users', body: `{"app_id": "app1", "users": ${deep}}` },
      { name: 'a number as the body', body: '42' },
      { name: 'null as the body', body: 'null' },
      { name: 'an empty body', body: '' },
      { name: 'invalid UTF-8', body: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]).toString('latin1') },
      { name: 'a megabyte phone number', body: JSON.stringify({ app_id: APP, users: [{ phone_number: '1'.repeat(1_000_000) }] }) },
      { name: 'a phone number of objects', body: '{"app_id": "app1", "users": [{"phone_number": {"$gt": ""}}]}' },
      { name: 'app_id with path characters', body: '{"app_id": "../../etc/passwd", "users": [{"phone_number": "1"}]}' },
      { name: 'app_id with a Redis glob', body: '{"app_id": "*", "users": [{"phone_number": "1"}]}' },
      { name: 'replacement patterns in the message', body: '{"app_id": "app1", "users": [{"phone_number": "x"}], "reinstall_message": "$& $1 $$ {}"}' },
      { name: 'format specifiers in the message', body: '{"app_id": "app1", "users": [{"phone_number": "x"}], "reinstall_message": "%s %d {0} {} {!r}"}' },
      { name: 'a lone surrogate in the message', body: '{"app_id": "app1", "users": [{"phone_number": "x"}], "reinstall_message": "\\ud800 {}"}' },
      { name: 'NUL bytes everywhere', body: '{"app_id": "app\\u0000", "users": [{"phone_number": "\\u0000"}]}' },
    ];

    for (const { name, body } of bodies) {
      it(`answers below 500 for ${name}`, async () => {
        const answer = await harness.request('POST', PATH, { body, headers: { authorization: auth } });
        expect(answer.status, answer.text.slice(0, 200)).to.be.below(500);
        expect(answer.body).to.be.an('object');
      });
    }

    it('leaves Object.prototype untouched', () => {
      expect(({} as Record<string, unknown>).app_id).to.equal(undefined);
      expect(({} as Record<string, unknown>).users).to.equal(undefined);
    });
  });

  describe('when the HTTP framing is broken', () => {
    const raw = async (request: string) => {
      const socket = net.connect(harness.api.port, '127.0.0.1');
      socket.end(request);
      let text = '';
      for await (const chunk of socket) text += String(chunk);
      return text;
    };

    it('answers oversized headers with a JSON 431', async () => {
      const text = await raw(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
      expect(text).to.match(/^HTTP\/1.1 431 /);
      expect(text).to.include('"error"');
    });

    it('answers a malformed request line with a JSON 400', async () => {
      const text = await raw('NOT HTTP AT ALL\r\n\r\n');
      expect(text).to.match(/^HTTP\/1.1 400 /);
      expect(text).to.include('application/json');
    });
  });

  describe('when headers and paths are hostile', () => {
    const requests: { name: string; path: string; authorization?: string }[] = [
      { name: 'Basic with invalid base64', path: PATH, authorization: 'Basic %%%%' },
      { name: 'Basic without a colon', path: PATH, authorization: `Basic ${Buffer.from('nocolon').toString('base64')}` },
      { name: 'a huge ApiKey', path: PATH, authorization: `ApiKey a:${'k'.repeat(8000)}` },
      { name: 'a non-ASCII username', path: PATH, authorization: 'ApiKey ü@ÿé.example:abc' },
      { name: 'an encoded NUL in the project', path: '/a/%00/api/v0_5/sms_user_registration_reinstall/', authorization: auth },
      { name: 'an encoded slash in the project', path: '/a/..%2f..%2f/api/v0_5/sms_user_registration_reinstall/', authorization: auth },
      { name: 'a broken percent-encoding', path: '/a/%E0%A4%A/api/v0_5/sms_user_registration_reinstall/', authorization: auth },
      { name: 'a huge version', path: `/a/${DOMAIN}/api/v${'9'.repeat(500)}/sms_user_registration_reinstall/`, authorization: auth },
      { name: 'a glob as batch id', path: `${PATH}batches/*/`, authorization: auth },
      { name: 'a glob in the app-info path', path: '/a/*/sms/app_info/*/' },
    ];

    for (const { name, path, authorization } of requests) {
      it(`answers below 500 for ${name}`, async () => {
        const method = path.includes('batches') || path.includes('app_info') ? 'GET' : 'POST';
        const headers: Record<string, string> = authorization ? { authorization } : {};
        const answer = await harness.request(method, path, {
          body: method === 'POST' ? { app_id: APP, users: [{ phone_number: 'x' }] } : undefined,
          headers,
        });
        expect(answer.status, answer.text.slice(0, 200)).to.be.below(500);
      });
    }
  });
});
