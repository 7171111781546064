import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { ApiKeyStore } from '../shared/api-key-store.js';
import { RedisKeys } from '../shared/redis-keys.js';
import { Registry } from '../shared/registry.js';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A key prefix and data folder of the benchmark's own, and the environment that points processes at them. */
export function benchEnvironment(extra: Record<string, string> = {}) {
  const prefix = `bench-${randomBytes(4).toString('hex')}`;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'reinstall-bench-'));
  const env = { ...process.env, REDIS_URL, KEY_PREFIX: prefix, DATA_DIR: dataDir, LOG_LEVEL: 'warn', ...extra };
  return { prefix, dataDir, env };
}

/** Creates a PRO project with one app and returns the Authorization header value. */
export async function seedProject(prefix: string, domain: string, appId: string): Promise<string> {
  const redis = new Redis(REDIS_URL);
  const keys = new RedisKeys(prefix);
  const registry = new Registry(redis, keys);
  await registry.putProject({ domain, plan: 'PRO', registrationEnabled: true, defaultLanguage: 'en' });
  await registry.putApp(domain, { appId, name: 'Bench', profileUrl: 'https://hq.example.org/profile.ccpr' });
  const { key } = await new ApiKeyStore(redis, keys).create({ username: 'bench@example.org', domains: [domain] });
  redis.disconnect();
  return `ApiKey bench@example.org:${key}`;
}

/** The repository root, where `npm run build` runs and the build lands in dist/. */
const ROOT = path.resolve(__dirname, '..');

let built = false;

/**
 * Compiles the service into dist/ with `npm run build`, once per bench process, so that the
 * API and worker processes run the compiled build, as in production. tsc's output goes to
 * stderr, with the bench's progress.
 */
export function buildService(): void {
  if (built) return;
  const result = spawnSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: ['ignore', 2, 2] });
  if (result.error) throw result.error;
  if (result.status !== 0) {
    const how = result.signal ?? `code ${result.status}`;
    throw new Error(`npm run build failed (${how}); fix the TypeScript errors printed above`);
  }
  built = true;
}

/** The service's entry points, as compiled into dist/. */
export type ServiceEntry = 'api/main' | 'worker/main';

/**
 * Starts the API or a worker from the compiled build with plain `node`, building it first if
 * this bench process has not. `nodeArgs` go before the script, for flags such as `--cpu-prof`
 * that NODE_OPTIONS rejects.
 */
export function startServiceProcess(
  entry: ServiceEntry,
  env: NodeJS.ProcessEnv,
  nodeArgs: string[] = [],
): ChildProcess {
  buildService();
  const script = path.join(ROOT, 'dist', `${entry}.js`);
  return spawn(process.execPath, [...nodeArgs, script], { env, stdio: ['ignore', 'inherit', 'inherit'] });
}

/**
 * Starts one of the bench's own TypeScript programs (`bench/bare-worker.ts`,
 * `bench/naive-sender.ts`) under tsx as a child process.
 */
export function startProcess(entry: string, env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', entry], { env, stdio: ['ignore', 'inherit', 'inherit'] });
}

export async function waitForHttp(url: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if ((await fetch(url)).status < 500) return;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

export async function deletePrefix(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL);
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await redis.unlink(...keys);
  } while (cursor !== '0');
  redis.disconnect();
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)];
}

/** US area codes whose 555 exchange libphonenumber-js takes as valid: 10,000 numbers each. */
const AREA_CODES = [201, 202, 203, 205, 206, 207, 208, 209, 210, 212, 213, 214, 215, 216, 217, 218, 219, 224, 225, 228];

/** Returns `count` distinct valid US numbers, the `start`-th onwards. */
export function benchNumbers(count: number, start = 0): string[] {
  const numbers: string[] = [];
  for (let i = start; numbers.length < count; i++) {
    const area = AREA_CODES[Math.floor(i / 10_000)];
    if (area === undefined) throw new Error(`benchNumbers has ${AREA_CODES.length * 10_000} numbers`);
    numbers.push(`1${area}555${String(i % 10_000).padStart(4, '0')}`);
  }
  return numbers;
}
