import { execFile } from 'node:child_process';
import { createPublicKey, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { Redis } from 'ioredis';
import { ApiKeyStore, type ApiKeyRecord } from '../shared/api-key-store.js';
import { DEFAULT_MESSAGES } from '../shared/default-messages.js';
import { RedisKeys } from '../shared/redis-keys.js';
import { Registry } from '../shared/registry.js';
import { deleteKeysWithPrefix } from './support/redis-cleanup.js';

const ROOT = path.resolve(__dirname, '..');
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const PREFIX = `test-cli-${randomBytes(4).toString('hex')}`;
const DATA_DIR = mkdtempSync(path.join(tmpdir(), 'cli-test-'));

// Numbers in the 617-555 exchange are fictional but valid by libphonenumber-js rules.
const FIRST = '16175551000';
const SECOND = '16175551002';
const THIRD = '16175551003';
const FOURTH = '16175551004';
const OF_BETA = '16175551005';

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  elapsedMs: number;
}

/** Runs the real CLI in a child process, as `npm run cli` does, against this run's prefix. */
function runCli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  const started = Date.now();
  const options = {
    cwd: ROOT,
    env: { ...process.env, REDIS_URL, KEY_PREFIX: PREFIX, DATA_DIR, ...env },
    timeout: 20_000,
  };
  return new Promise((resolve) => {
    const argv = ['--import', 'tsx', 'cli/main.ts', ...args];
    execFile(process.execPath, argv, options, (error, stdout, stderr) => {
      const code = error ? Number(error.code ?? 1) : 0;
      resolve({ code, stdout, stderr, elapsedMs: Date.now() - started });
    });
  });
}

function stderrLines(result: CliResult): string[] {
  return result.stderr.trim().split('\n');
}

describe('cli', function () {
  // Each run starts a Node process that loads tsx: under a second each on a 2-core machine.
  this.timeout(30_000);

  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  const keys = new RedisKeys(PREFIX);
  const registry = new Registry(redis, keys);
  const apiKeys = new ApiKeyStore(redis, keys);

  after(async () => {
    await deleteKeysWithPrefix(redis, PREFIX);
    await redis.quit();
    rmSync(DATA_DIR, { recursive: true, force: true });
  });

  describe('when projects are added and updated', () => {
    it('adds a project with defaults', async () => {
      const result = await runCli(['project', 'add', 'alpha']);
      expect(result.code, result.stderr).to.equal(0);
      expect(await registry.getProject('alpha')).to.deep.equal({
        domain: 'alpha',
        plan: 'PRO',
        registrationEnabled: true,
        defaultLanguage: 'en',
      });
    });

    it('changes only the given settings', async () => {
      const add = ['project', 'add', 'beta', '--plan', 'standard', '--registration', 'off'];
      const added = await runCli([...add, '--language', 'fr']);
      expect(added.code, added.stderr).to.equal(0);
      const updated = await runCli(['project', 'update', 'beta', '--plan', 'ENTERPRISE']);
      expect(updated.code, updated.stderr).to.equal(0);

      const listed = await runCli(['project', 'list', '--json']);
      expect(listed.code, listed.stderr).to.equal(0);
      const projects: { domain: string }[] = JSON.parse(listed.stdout);
      const beta = projects.find((project) => project.domain === 'beta') as Record<string, unknown>;
      expect(beta.plan).to.equal('ENTERPRISE');
      expect(beta.registrationEnabled).to.equal(false);
      expect(beta.defaultLanguage).to.equal('fr');
    });

    it('lists projects in aligned columns', async () => {
      const result = await runCli(['project', 'list']);
      expect(result.code, result.stderr).to.equal(0);
      const lines = result.stdout.trim().split('\n');
      expect(lines[0]).to.match(/^DOMAIN\s+PLAN\s+REGISTRATION\s+LANGUAGE$/);
      expect(lines[1]).to.match(/^alpha\s+PRO\s+on\s+en$/);
      expect(lines[2]).to.match(/^beta\s+ENTERPRISE\s+off\s+fr$/);
      const planColumn = lines[0].indexOf('PLAN');
      expect(lines[1].indexOf('PRO')).to.equal(planColumn);
      expect(lines[2].indexOf('ENTERPRISE')).to.equal(planColumn);
    });

    it('rejects an existing project', async () => {
      const result = await runCli(['project', 'add', 'alpha']);
      expect(result.code).to.equal(1);
      expect(stderrLines(result)).to.have.length(1);
      expect(result.stderr).to.match(/^error: project alpha already exists; /);
      expect(result.stderr).to.include('`project update alpha`');
    });

    it('exits 2 without options', async () => {
      const result = await runCli(['project', 'update', 'beta']);
      expect(result.code).to.equal(2);
      expect(result.stderr).to.include('error: nothing to update');
    });
  });

  describe('when apps are added and removed', () => {
    it('lists an added app', async () => {
      const profileUrl = 'https://www.example.org/a/alpha/apps/download/app1/profile.ccpr';
      const args = ['app', 'add', 'alpha', 'app1', '--profile-url', profileUrl];
      const added = await runCli([...args, '--name', 'Field app']);
      expect(added.code, added.stderr).to.equal(0);

      const listed = await runCli(['app', 'list', 'alpha', '--json']);
      expect(listed.code, listed.stderr).to.equal(0);
      const apps = JSON.parse(listed.stdout);
      expect(apps).to.deep.equal([{ appId: 'app1', name: 'Field app', profileUrl }]);
    });

    it('removes an app once', async () => {
      const removed = await runCli(['app', 'remove', 'alpha', 'app1']);
      expect(removed.code, removed.stderr).to.equal(0);
      expect(await registry.getApp('alpha', 'app1')).to.equal(null);

      const again = await runCli(['app', 'remove', 'alpha', 'app1']);
      expect(again.code).to.equal(1);
      expect(again.stderr).to.match(/^error: app "app1" not found in project alpha; see `app list/);
    });
  });

  describe('when workers are added one by one', () => {
    it('stores the normalised number', async () => {
      const result = await runCli(['worker', 'add', 'alpha', '+1 617-555-1000']);
      expect(result.code, result.stderr).to.equal(0);
      const [worker] = await registry.getWorkers([FIRST]);
      expect(worker).to.deep.equal({ domain: 'alpha', username: 'worker-1000', language: 'en' });
    });

    it('changes only given worker fields', async () => {
      const result = await runCli(['worker', 'add', 'alpha', FIRST, '--language', 'sw']);
      expect(result.code, result.stderr).to.equal(0);
      const [worker] = await registry.getWorkers([FIRST]);
      expect(worker).to.deep.equal({ domain: 'alpha', username: 'worker-1000', language: 'sw' });
    });

    it('names an invalid number and reason', async () => {
      const result = await runCli(['worker', 'add', 'alpha', '12345']);
      expect(result.code).to.equal(1);
      expect(stderrLines(result)).to.have.length(1);
      expect(result.stderr).to.include('invalid phone number "12345"');
      expect(result.stderr).to.include('is not a valid number for any country');
    });

    it('rejects another project\'s number', async () => {
      const result = await runCli(['worker', 'add', 'beta', FIRST]);
      expect(result.code).to.equal(1);
      expect(result.stderr).to.match(/^error: number ending 1000 is registered to project alpha; /);
      expect(result.stderr).not.to.include(FIRST);
      const [worker] = await registry.getWorkers([FIRST]);
      expect(worker?.domain).to.equal('alpha');
    });
  });

  describe('when a CSV file mixes good and bad rows', () => {
    let result: CliResult;

    before(async () => {
      const betaWorker = { domain: 'beta', username: 'beta-worker', language: 'fr' };
      await registry.putWorker(OF_BETA, betaWorker);
      const file = path.join(DATA_DIR, 'workers.csv');
      const lines = [
        'phone_number,username,language,notes',
        `+${SECOND},bob,fr,first row`,
        '12345,carol,,not a number',
        `${SECOND},bob-again,,repeats line 2`,
        `${THIRD},dave,english,bad language`,
        `${FOURTH},,,defaults`,
        `${OF_BETA},eve,,belongs to beta`,
      ];
      writeFileSync(file, `${lines.join('\n')}\n`);
      result = await runCli(['worker', 'import', 'alpha', file]);
    });

    it('imports the good rows', async () => {
      expect(result.stdout).to.include('imported 2 of 6 rows into project alpha');
      const [second, fourth] = await registry.getWorkers([SECOND, FOURTH]);
      expect(second).to.deep.equal({ domain: 'alpha', username: 'bob', language: 'fr' });
      expect(fourth).to.deep.equal({ domain: 'alpha', username: 'worker-1004', language: 'en' });
    });

    it('reports line, value and reason', () => {
      const report = result.stdout.split('\n');
      expect(report).to.include(
        'line 3: phone_number "12345" is not a valid number for any country',
      );
      expect(report).to.include(`line 4: phone_number "${SECOND}" repeats the number on line 2`);
      expect(report).to.include(
        'line 5: language "english" is not a two- or three-letter lowercase ISO 639 code',
      );
      expect(report).to.include(`line 7: phone_number "${OF_BETA}" is registered to project beta`);
    });

    it('leaves the bad rows out', async () => {
      const [third, ofBeta] = await registry.getWorkers([THIRD, OF_BETA]);
      expect(third).to.equal(null);
      expect(ofBeta?.domain).to.equal('beta');
    });

    it('exits 1 with one error line', () => {
      expect(result.code).to.equal(1);
      expect(stderrLines(result)).to.have.length(1);
      expect(result.stderr).to.match(/^error: 4 of 6 rows of .*workers\.csv were not imported/);
    });
  });

  describe('when workers are listed and removed', () => {
    it('lists every worker', async () => {
      const result = await runCli(['worker', 'list', 'alpha', '--json']);
      expect(result.code, result.stderr).to.equal(0);
      const workers: { phoneNumber: string }[] = JSON.parse(result.stdout);
      const numbers = workers.map((worker) => worker.phoneNumber);
      expect(numbers).to.deep.equal([FIRST, SECOND, FOURTH]);
    });

    it('removes a worker', async () => {
      const result = await runCli(['worker', 'remove', 'alpha', `+${FOURTH}`]);
      expect(result.code, result.stderr).to.equal(0);
      expect(await registry.getWorkers([FOURTH])).to.deep.equal([null]);
    });
  });

  describe('when numbers opt out', () => {
    it('lists an added opt-out', async () => {
      const added = await runCli(['opt-out', 'add', 'alpha', '+1 (617) 555-1002']);
      expect(added.code, added.stderr).to.equal(0);
      const listed = await runCli(['opt-out', 'list', 'alpha', '--json']);
      expect(listed.code, listed.stderr).to.equal(0);
      expect(JSON.parse(listed.stdout)).to.deep.equal([{ phoneNumber: SECOND }]);
    });

    it('counts it in project details', async () => {
      const result = await runCli(['project', 'show', 'alpha', '--json']);
      expect(result.code, result.stderr).to.equal(0);
      expect(JSON.parse(result.stdout)).to.deep.equal({
        domain: 'alpha',
        plan: 'PRO',
        registrationEnabled: true,
        defaultLanguage: 'en',
        counts: { apps: 0, workers: 2, optOuts: 1 },
      });
    });

    it('removes an opt-out', async () => {
      const result = await runCli(['opt-out', 'remove', 'alpha', SECOND]);
      expect(result.code, result.stderr).to.equal(0);
      expect(await registry.listOptOuts('alpha')).to.deep.equal([]);
    });
  });

  describe('when message overrides are set', () => {
    it('rejects text without {}', async () => {
      const result = await runCli(['message', 'set', 'alpha', 'en', 'Reinstall CommCare']);
      expect(result.code).to.equal(1);
      expect(result.stderr).to.match(/^error: the message text contains 0 \{\} placeholders; /);
      expect(result.stderr).to.include('give exactly one {}');
      expect(await registry.getMessageTemplates('alpha')).to.deep.equal({});
    });

    it('lists built-in text beside override', async () => {
      const set = await runCli(['message', 'set', 'alpha', 'sw', 'Bofya hapa: {}']);
      expect(set.code, set.stderr).to.equal(0);

      const listed = await runCli(['message', 'list', 'alpha', '--json']);
      expect(listed.code, listed.stderr).to.equal(0);
      const texts = JSON.parse(listed.stdout);
      const swahili = texts.find((entry: { language: string }) => entry.language === 'sw');
      const english = texts.find((entry: { language: string }) => entry.language === 'en');
      expect(swahili.builtIn).to.equal(DEFAULT_MESSAGES.sw);
      expect(swahili.override).to.equal('Bofya hapa: {}');
      expect(english.builtIn).to.equal(DEFAULT_MESSAGES.en);
      expect(english.override).to.equal(null);
    });

    it('removes an override', async () => {
      const result = await runCli(['message', 'remove', 'alpha', 'sw']);
      expect(result.code, result.stderr).to.equal(0);
      expect(await registry.getMessageTemplates('alpha')).to.deep.equal({});
    });
  });

  describe('when API keys are created, listed and revoked', () => {
    let editKey: string;
    let editId: string;
    let readOnly: ApiKeyRecord & { key: string };
    const inOneYear = new Date(Date.now() + 365 * 24 * 3600 * 1000).toISOString().slice(0, 10);

    it('prints the key once', async () => {
      const args = ['api-key', 'create', '--user', 'ops@example.org', '--project', 'alpha'];
      const result = await runCli([...args, '--project', 'beta', '--expires', '30d']);
      expect(result.code, result.stderr).to.equal(0);
      editKey = /^API key: ([0-9a-f]{40})$/m.exec(result.stdout)?.[1] ?? '';
      editId = /^id: +([0-9a-f]+)$/m.exec(result.stdout)?.[1] ?? '';
      expect(editKey).to.have.length(40);
      expect(result.stdout).to.include('it is not shown again');

      const record = await apiKeys.authenticate('ops@example.org', editKey);
      expect(record?.id).to.equal(editId);
      expect(record?.domains).to.deep.equal(['alpha', 'beta']);
      expect(record?.permissions).to.deep.equal(['edit-data']);
      const expiresInDays = (Date.parse(record?.expiresAt ?? '') - Date.now()) / (24 * 3600 * 1000);
      expect(expiresInDays).to.be.within(29.9, 30);
    });

    it('leaves edit-data out when read-only', async () => {
      const args = ['api-key', 'create', '--user', 'viewer@example.org', '--project', 'alpha'];
      const result = await runCli(['--json', ...args, '--read-only', '--expires', inOneYear]);
      expect(result.code, result.stderr).to.equal(0);
      readOnly = JSON.parse(result.stdout);
      expect(readOnly.permissions).to.deep.equal([]);
      expect(readOnly.expiresAt).to.equal(`${inOneYear}T00:00:00.000Z`);
    });

    it('rejects an expiry in the past', async () => {
      const args = ['api-key', 'create', '--user', 'ops@example.org', '--project', 'alpha'];
      const result = await runCli([...args, '--expires', '2020-01-01']);
      expect(result.code).to.equal(2);
      expect(result.stderr).to.include('The expiry is in the past');
    });

    it('lists keys without the keys', async () => {
      const result = await runCli(['api-key', 'list']);
      expect(result.code, result.stderr).to.equal(0);
      const [header, ...rows] = result.stdout.trim().split('\n');
      expect(header).to.match(/^ID\s+USER\s+PROJECTS\s+PERMISSIONS\s+CREATED\s+EXPIRES$/);
      expect(rows).to.have.length(2);
      const editRow = `^${editId}\\s+ops@example\\.org\\s+alpha,beta\\s+edit-data\\s`;
      const readOnlyRow = `^${readOnly.id}\\s+viewer@example\\.org\\s+alpha\\s+none\\s`;
      expect(rows[0]).to.match(new RegExp(editRow));
      expect(rows[1]).to.match(new RegExp(readOnlyRow));
      expect(rows[1]).to.match(new RegExp(`${inOneYear}T00:00:00\\.000Z$`));
      expect(result.stdout).not.to.include(editKey);
      expect(result.stdout).not.to.include(readOnly.key);
    });

    it('revokes a key', async () => {
      const result = await runCli(['api-key', 'revoke', editId]);
      expect(result.code, result.stderr).to.equal(0);
      expect(await apiKeys.authenticate('ops@example.org', editKey)).to.equal(null);
      const remaining = (await apiKeys.list()).map((record) => record.id);
      expect(remaining).to.deep.equal([readOnly.id]);
    });
  });

  describe('when the public key is printed', () => {
    it('prints one line of DER SPKI', async () => {
      const result = await runCli(['public-key']);
      expect(result.code, result.stderr).to.equal(0);
      const lines = result.stdout.split('\n');
      expect(lines).to.have.length(2);
      expect(lines[1]).to.equal('');
      const der = Buffer.from(lines[0], 'base64');
      const key = createPublicKey({ key: der, format: 'der', type: 'spki' });
      expect(key.asymmetricKeyType).to.equal('rsa');

      // Without a configured key, the CLI and the service share <DATA_DIR>/signing-key.pem.
      const pem = readFileSync(path.join(DATA_DIR, 'signing-key.pem'), 'utf8');
      const fromFile = createPublicKey(pem).export({ type: 'spki', format: 'der' });
      expect(lines[0]).to.equal(fromFile.toString('base64'));
    });
  });

  describe('when Redis is unreachable', () => {
    it('fails fast with a clear error', async () => {
      const result = await runCli(['project', 'list'], { REDIS_URL: 'redis://127.0.0.1:1' });
      expect(result.code).to.equal(1);
      expect(stderrLines(result)).to.have.length(1);
      expect(result.stderr).to.match(/^error: cannot reach Redis at redis:\/\/127\.0\.0\.1:1/);
      expect(result.stdout).to.equal('');
      // The bound allows for starting Node with tsx and for the failed probe's connection, which
      // keeps the process alive for ioredis's 2 s disconnectTimeout after the error.
      expect(result.elapsedMs).to.be.below(10_000);
    });
  });

  describe('when help is requested', () => {
    it('describes the CSV columns', async () => {
      const result = await runCli(['worker', 'import', '--help']);
      expect(result.code).to.equal(0);
      expect(result.stdout).to.include('Usage: cli worker import [options] <domain> <file>');
      expect(result.stdout).to.include('phone_number');
    });
  });
});
