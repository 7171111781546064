import { expect } from 'chai';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { verifyAppInfoPayload } from '../shared/app-info-signer.js';
import { deleteKeysWithPrefix } from './support/redis-cleanup.js';
import { TEST_REDIS_URL } from './support/service-harness.js';
import { appendProcessOutput, rememberNumbers, rememberSecret } from './support/test-log.js';
import { waitFor } from './support/wait-for.js';

const SAMPLE = '{"app_id": "abcd1234abcd1234", "users": [{"phone_number": "16175551234"}]}';
const SAMPLE_ANSWER = '{"success_numbers": ["16175551234"], "invalid_format_numbers": [], "error_numbers": []}';

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('npm start', function () {
  this.timeout(60_000);
  const prefix = `test-start-${randomBytes(4).toString('hex')}`;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'reinstall-start-'));
  let env: NodeJS.ProcessEnv;
  let child: ChildProcess;
  let output = '';
  let base: string;
  let inboxBase: string;

  before(async () => {
    const [port, simulatorPort] = [await freePort(), await freePort()];
    base = `http://127.0.0.1:${port}`;
    inboxBase = `http://127.0.0.1:${simulatorPort}`;
    env = {
      ...process.env,
      PORT: String(port),
      SIMULATOR_PORT: String(simulatorPort),
      KEY_PREFIX: prefix,
      DATA_DIR: dataDir,
      REDIS_URL: TEST_REDIS_URL,
      DEMO_API_KEY: '',
      VONAGE_API_KEY: '',
      VONAGE_API_SECRET: '',
    };
    child = spawn('npm', ['start'], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await waitFor(() => output.includes('Service ready'), 'npm start to print that it is ready', 45_000, 100);
  });

  after(async () => {
    if (child.pid) process.kill(-child.pid, 'SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    appendProcessOutput('npm start', output);
    const redis = new Redis(TEST_REDIS_URL);
    await deleteKeysWithPrefix(redis, prefix);
    redis.disconnect();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps the generated demo key and points to it', () => {
    const key = readFileSync(path.join(dataDir, 'demo-api-key'), 'utf8').trim();
    expect(key).to.match(/^[0-9a-f]{40}$/);
    rememberSecret(key);
    // Output that is not a terminal may end up in a log, so the key is not printed.
    expect(output).not.to.include(key);
    expect(output).to.include(`$(cat ${path.join(dataDir, 'demo-api-key')})`);
  });

  it('answers the documented sample request exactly', async () => {
    rememberNumbers(['16175551234']);
    const key = readFileSync(path.join(dataDir, 'demo-api-key'), 'utf8').trim();
    const response = await fetch(`${base}/a/demo/api/v0_5/sms_user_registration_reinstall/`, {
      method: 'POST',
      headers: { authorization: `ApiKey admin@example.org:${key}` },
      body: SAMPLE,
    });
    expect(response.status).to.equal(200);
    expect(await response.text()).to.equal(SAMPLE_ANSWER);
  });

  it('delivers both messages to the simulator inbox in order', async () => {
    const inbox = (await (await fetch(`${inboxBase}/inbox/16175551234`)).json()) as { text: string }[];
    expect(inbox).to.have.length(2);
    expect(inbox[0].text).to.include('https://play.google.com/store/apps/details?id=org.commcare.dalvik');
    const installUrl = Buffer.from(inbox[1].text.replace('[commcare app - do not delete] ', ''), 'base64');
    expect(installUrl.toString()).to.equal(`${base}/a/demo/sms/app_info/abcd1234abcd1234/`);
  });

  it('signs the app info with the key the CLI prints', async () => {
    const inbox = (await (await fetch(`${inboxBase}/inbox/16175551234`)).json()) as { text: string }[];
    const installUrl = Buffer.from(inbox[1].text.split(' ').pop()!, 'base64').toString();
    const payload = await (await fetch(installUrl)).text();
    const { stdout } = await promisify(execFile)('npm', ['run', '--silent', 'cli', '--', 'public-key'], { env });
    expect(verifyAppInfoPayload(payload, stdout.trim())).to.equal(
      'https://www.commcarehq.org/a/demo/apps/download/abcd1234abcd1234/profile.ccpr',
    );
  });
});
