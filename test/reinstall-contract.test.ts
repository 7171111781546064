import { expect } from 'chai';
import { ServiceHarness, usersBody } from './support/service-harness.js';
import { validNumbers } from './support/phone-numbers.js';

const DOMAIN = 'contract';
const APP = 'app1';
const PATH = `/a/${DOMAIN}/api/v0_5/sms_user_registration_reinstall/`;

describe('reinstall endpoint contract', () => {
  const harness = new ServiceHarness();
  let auth: string;
  const [number] = validNumbers(1, 2000);

  before(async () => {
    await harness.start();
    auth = await harness.addProject(DOMAIN, APP);
  });

  after(() => harness.stop());

  describe('when credentials are missing or wrong', () => {
    it('answers 401 with a challenge when there is no Authorization', async () => {
      const answer = await harness.request('POST', PATH, { body: usersBody(APP, [number]) });
      expect(answer.status).to.equal(401);
      expect(answer.headers.get('www-authenticate')).to.match(/ApiKey/);
      expect(answer.body).to.have.property('error').that.is.a('string');
    });

    it('answers 401 for a wrong key', async () => {
      const wrong = auth.replace(/:[0-9a-f]+$/, ':0000000000000000000000000000000000000000');
      const answer = await harness.reinstall(DOMAIN, wrong, usersBody(APP, [number]));
      expect(answer.status).to.equal(401);
      expect(answer.headers.get('www-authenticate')).to.be.a('string');
    });

    it('answers 401 for a right key under another username', async () => {
      const other = auth.replace(/^ApiKey [^:]+/, 'ApiKey someone@else.example.org');
      const answer = await harness.reinstall(DOMAIN, other, usersBody(APP, [number]));
      expect(answer.status).to.equal(401);
    });

    it('answers 401 for an expired key', async () => {
      const { key } = await harness.apiKeys.create({
        username: 'old@example.org',
        domains: [DOMAIN],
        expiresAt: new Date(Date.now() - 1000),
      });
      const answer = await harness.reinstall(DOMAIN, `ApiKey old@example.org:${key}`, usersBody(APP, [number]));
      expect(answer.status).to.equal(401);
    });

    it('answers 401 for a malformed Authorization header', async () => {
      const answer = await harness.reinstall(DOMAIN, 'Bearer abc', usersBody(APP, [number]));
      expect(answer.status).to.equal(401);
    });
  });

  describe('when HTTP Basic carries the same pair', () => {
    it('accepts the request', async () => {
      const pair = auth.slice('ApiKey '.length);
      const basic = `Basic ${Buffer.from(pair).toString('base64')}`;
      const answer = await harness.reinstall(DOMAIN, basic, usersBody(APP, ['1617JKL1234']));
      expect(answer.status).to.equal(200);
    });
  });

  describe('when the key does not cover the project', () => {
    it('answers 403 for a key of another project', async () => {
      const otherAuth = await harness.addProject('contract-other');
      const answer = await harness.reinstall(DOMAIN, otherAuth, usersBody(APP, [number]));
      expect(answer.status).to.equal(403);
      expect(answer.body).to.have.property('error');
    });

    it('answers 403 for a key without edit-data', async () => {
      const { key } = await harness.apiKeys.create({
        username: 'reader@example.org',
        domains: [DOMAIN],
        permissions: [],
      });
      const answer = await harness.reinstall(DOMAIN, `ApiKey reader@example.org:${key}`, usersBody(APP, [number]));
      expect(answer.status).to.equal(403);
    });
  });

  describe('when the project cannot use the API', () => {
    it('answers 404 for an unknown project', async () => {
      const { key } = await harness.apiKeys.create({ username: 'ghost@example.org', domains: ['ghost'] });
      const answer = await harness.reinstall('ghost', `ApiKey ghost@example.org:${key}`, usersBody(APP, [number]));
      expect(answer.status).to.equal(404);
      expect(answer.body).to.have.property('error');
    });

    it('answers 401 for a plan below PRO', async () => {
      const lowAuth = await harness.addProject('contract-standard');
      await harness.registry.putProject({
        domain: 'contract-standard',
        plan: 'STANDARD',
        registrationEnabled: true,
        defaultLanguage: 'en',
      });
      const answer = await harness.reinstall('contract-standard', lowAuth, usersBody(APP, [number]));
      expect(answer.status).to.equal(401);
      expect((answer.body as { error: string }).error).to.match(/PRO/);
    });

    it('answers 403 when SMS registration is disabled', async () => {
      const offAuth = await harness.addProject('contract-off');
      await harness.registry.putProject({
        domain: 'contract-off',
        plan: 'ENTERPRISE',
        registrationEnabled: false,
        defaultLanguage: 'en',
      });
      const answer = await harness.reinstall('contract-off', offAuth, usersBody(APP, [number]));
      expect(answer.status).to.equal(403);
      expect((answer.body as { error: string }).error).to.match(/SMS Mobile Worker Registration/);
    });
  });

  describe('when the body is invalid', () => {
    const cases: { name: string; body: unknown; field: string; mentions: RegExp }[] = [
      { name: 'not JSON', body: '{"app_id": ', field: 'body', mentions: /JSON/ },
      { name: 'a JSON array', body: [1, 2], field: 'body', mentions: /object/ },
      { name: 'a JSON string', body: '"hello"', field: 'body', mentions: /object/ },
      { name: 'app_id missing', body: { users: [{ phone_number: number }] }, field: 'app_id', mentions: /required/ },
      { name: 'app_id a number', body: { app_id: 5, users: [{ phone_number: number }] }, field: 'app_id', mentions: /string/ },
      { name: 'users missing', body: { app_id: APP }, field: 'users', mentions: /required/ },
      { name: 'users an object', body: { app_id: APP, users: { phone_number: number } }, field: 'users', mentions: /list/ },
      { name: 'users empty', body: { app_id: APP, users: [] }, field: 'users', mentions: /at least one/ },
      { name: 'a user a string', body: { app_id: APP, users: [number] }, field: 'users', mentions: /users\[0\]/ },
      { name: 'phone_number a number', body: { app_id: APP, users: [{ phone_number: 16175551234 }] }, field: 'users', mentions: /users\[0\]\.phone_number/ },
      { name: 'phone_number missing', body: { app_id: APP, users: [{}] }, field: 'users', mentions: /required/ },
      { name: 'unknown app_id', body: usersBody('nope', [number]), field: 'app_id', mentions: /nope/ },
      { name: 'a repeated number', body: usersBody(APP, [number, `+${number}`]), field: 'users', mentions: /users\[1\]/ },
      { name: 'a repeated number spelled differently', body: usersBody(APP, ['+1 (617) 555-2000', '1-617-555-2000']), field: 'users', mentions: /once normalised/ },
      { name: 'reinstall_message without {}', body: usersBody(APP, [number], { reinstall_message: 'Install now' }), field: 'reinstall_message', mentions: /exactly one \{\}.*contains 0/ },
      { name: 'reinstall_message with two {}', body: usersBody(APP, [number], { reinstall_message: '{} and {}' }), field: 'reinstall_message', mentions: /contains 2/ },
      { name: 'reinstall_message a list', body: usersBody(APP, [number], { reinstall_message: ['{}'] }), field: 'reinstall_message', mentions: /string/ },
      { name: 'reinstall_message with a lone surrogate', body: usersBody(APP, [number], { reinstall_message: '\ud800 {}' }), field: 'reinstall_message', mentions: /surrogate/ },
      { name: 'reinstall_message too long', body: usersBody(APP, [number], { reinstall_message: `${'x'.repeat(700)} {}` }), field: 'reinstall_message', mentions: /at most 640/ },
    ];

    for (const testCase of cases) {
      it(`answers 400 on ${testCase.field} for ${testCase.name}`, async () => {
        const answer = await harness.reinstall(DOMAIN, auth, testCase.body);
        expect(answer.status, answer.text).to.equal(400);
        expect(answer.body).to.have.property(testCase.field).that.matches(testCase.mentions);
      });
    }

    it('lists repeated malformed entries each as sent', async () => {
      const answer = await harness.reinstall(DOMAIN, auth, usersBody(APP, ['', 'abc', 'abc', ' ']));
      expect(answer.status).to.equal(200);
      expect((answer.body as { invalid_format_numbers: string[] }).invalid_format_numbers).to.deep.equal([
        '',
        'abc',
        'abc',
        ' ',
      ]);
    });

    it('sends nothing for a rejected body', async () => {
      harness.simulator.clearInbox();
      await harness.reinstall(DOMAIN, auth, usersBody(APP, [number, number]));
      expect(harness.simulator.inbox(number)).to.deep.equal([]);
    });

    it('keeps other braces as literal text', async () => {
      const [target] = validNumbers(1, 2100);
      const answer = await harness.reinstall(
        DOMAIN,
        auth,
        usersBody(APP, [target], { reinstall_message: '{name} {0} %s {{ }} } { install: {}' }),
      );
      expect(answer.status).to.equal(200);
      const [first] = harness.simulator.inbox(target);
      expect(first.text).to.equal(
        '{name} {0} %s {{ }} } { install: https://play.google.com/store/apps/details?id=org.commcare.dalvik',
      );
    });
  });

  describe('when the request is too large', () => {
    const small = new ServiceHarness({ env: { MAX_BODY_BYTES: '2048', MAX_USERS_PER_REQUEST: '3' } });
    let smallAuth: string;

    before(async () => {
      await small.start();
      smallAuth = await small.addProject(DOMAIN, APP);
    });

    after(() => small.stop());

    it('answers 413 for a body over the size limit', async () => {
      const answer = await small.reinstall(DOMAIN, smallAuth, usersBody(APP, ['1'], { pad: 'x'.repeat(4000) }));
      expect(answer.status).to.equal(413);
      expect((answer.body as { error: string }).error).to.match(/2048 bytes/);
    });

    it('answers 413 for more users than the limit', async () => {
      const answer = await small.reinstall(DOMAIN, smallAuth, usersBody(APP, validNumbers(4, 2200)));
      expect(answer.status).to.equal(413);
      expect((answer.body as { error: string }).error).to.match(/at most 3/);
    });
  });

  describe('when the path varies', () => {
    for (const version of ['v0_5', 'v0_6', 'v1', 'v2_1']) {
      it(`accepts version ${version}`, async () => {
        const answer = await harness.request('POST', `/a/${DOMAIN}/api/${version}/sms_user_registration_reinstall/`, {
          body: usersBody(APP, ['bad']),
          headers: { authorization: auth },
        });
        expect(answer.status).to.equal(200);
      });
    }

    for (const version of ['v0_4', 'v0_1', 'latest', 'v0_5x', 'v0_05', 'v00_5']) {
      it(`answers 404 for version ${version}`, async () => {
        const answer = await harness.request('POST', `/a/${DOMAIN}/api/${version}/sms_user_registration_reinstall/`, {
          body: usersBody(APP, ['bad']),
          headers: { authorization: auth },
        });
        expect(answer.status).to.equal(404);
        expect(answer.body).to.have.property('error');
      });
    }

    it('accepts the path without its trailing slash', async () => {
      const answer = await harness.request('POST', PATH.slice(0, -1), {
        body: usersBody(APP, ['bad']),
        headers: { authorization: auth },
      });
      expect(answer.status).to.equal(200);
    });

    it('parses the body as JSON whatever its Content-Type', async () => {
      const answer = await harness.request('POST', PATH, {
        body: JSON.stringify(usersBody(APP, ['bad'])),
        headers: { authorization: auth, 'content-type': 'application/x-www-form-urlencoded' },
      });
      expect(answer.status).to.equal(200);
    });
  });
});
