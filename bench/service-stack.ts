/**
 * Starts what a scenario measures: the gateway simulator inside the bench process, and the
 * service's API and worker processes on a key prefix of their own, pointed at that simulator.
 */
import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { GatewayFaults } from '../simulator/fault-settings.js';
import { GatewaySimulator } from '../simulator/gateway-simulator.js';
import { SIMULATOR_CREDENTIALS } from '../worker/create-gateway.js';
import {
  benchEnvironment,
  deletePrefix,
  freePort,
  seedProject,
  startServiceProcess,
  waitForHttp,
} from './bench-support.js';

export const DOMAIN = 'bench';
export const APP_ID = 'app1';

/** Time a process gets to exit after SIGTERM before it is killed. */
const STOP_TIMEOUT_MS = 15_000;
const READY_TIMEOUT_MS = 30_000;
/** How often the simulator's inbox is emptied; the bench never reads it. */
const INBOX_CLEAR_INTERVAL_MS = 5_000;

/** Cleanups of what is running now, run on SIGINT so that an interrupted bench leaves no keys. */
const activeCleanups = new Set<() => Promise<void>>();

export interface RunningSimulator {
  simulator: GatewaySimulator;
  url: string;
  close(): Promise<void>;
}

/** Starts a simulator on a free loopback port that takes the service's default credentials. */
export async function startSimulator(
  faults: Partial<GatewayFaults> = {},
): Promise<RunningSimulator> {
  const simulator = new GatewaySimulator(SIMULATOR_CREDENTIALS);
  simulator.setFaults(faults);
  const { url } = await simulator.listen(0, '127.0.0.1');
  // A 100,000-user run would otherwise keep 200,000 messages in the bench process's heap.
  const clearer = setInterval(() => simulator.clearInbox(), INBOX_CLEAR_INTERVAL_MS);
  clearer.unref();
  return {
    simulator,
    url,
    async close() {
      clearInterval(clearer);
      await simulator.close();
    },
  };
}

export interface ServiceStackOptions {
  gatewayUrl: string;
  /** Worker processes to start: 0 leaves every batch pending. */
  workers: number;
  /** Environment on top of the bench defaults, such as `GATEWAY_RATE_PER_SECOND`. */
  env?: Record<string, string>;
  /** Node flags for the API and worker processes, such as `--cpu-prof`. */
  nodeArgs?: string[];
}

export interface ServiceStack {
  prefix: string;
  baseUrl: string;
  /** URL of the reinstall endpoint of the seeded project. */
  reinstallUrl: string;
  /** Authorization header value of the seeded API key. */
  auth: string;
  api: ChildProcess;
  workers: ChildProcess[];
  /** Throws when the API or a worker has exited, so that a scenario stops instead of waiting. */
  assertRunning(): void;
  stop(): Promise<void>;
}

/** Builds the child environment: simulator URL, no Vonage account, quiet logs. */
function stackEnvironment(port: number, options: ServiceStackOptions) {
  const environment = benchEnvironment({
    PORT: String(port),
    VONAGE_REST_URL: options.gatewayUrl,
    WORKER_CONCURRENCY: '50',
    // No send limit unless a scenario sets one, because the simulator has none by default.
    GATEWAY_RATE_PER_SECOND: '0',
    // The highest per-key limit the service accepts, so that the bench's load is not rejected.
    API_RATE_PER_MINUTE: '100000',
    // Retry warnings are expected under load and would bury the bench's progress lines.
    LOG_LEVEL: 'error',
    ...options.env,
  });
  const { prefix, dataDir } = environment;
  const env: NodeJS.ProcessEnv = { ...environment.env };
  // Without an account the worker uses the simulator's credentials, which this simulator takes.
  delete env.VONAGE_API_KEY;
  delete env.VONAGE_API_SECRET;
  return { prefix, dataDir, env };
}

/** Starts the API and `options.workers` worker processes and waits until they are ready. */
export async function startServiceStack(options: ServiceStackOptions): Promise<ServiceStack> {
  const port = await freePort();
  const { prefix, dataDir, env } = stackEnvironment(port, options);
  const auth = await seedProject(prefix, DOMAIN, APP_ID);
  const nodeArgs = options.nodeArgs ?? [];
  const api = startServiceProcess('api/main', env, nodeArgs);
  const workers = Array.from({ length: options.workers }, () =>
    startServiceProcess('worker/main', env, nodeArgs),
  );
  const baseUrl = `http://127.0.0.1:${port}`;
  const children = [api, ...workers];

  const cleanup = async () => {
    activeCleanups.delete(cleanup);
    await Promise.all(children.map((child) => stopChild(child)));
    await deletePrefix(prefix);
    rmSync(dataDir, { recursive: true, force: true });
  };
  activeCleanups.add(cleanup);

  const stack: ServiceStack = {
    prefix,
    baseUrl,
    reinstallUrl: `${baseUrl}/a/${DOMAIN}/api/v0_5/sms_user_registration_reinstall/`,
    auth,
    api,
    workers,
    assertRunning: () => assertChildrenRunning(children),
    stop: cleanup,
  };
  try {
    await waitForHttp(`${baseUrl}/healthz`, READY_TIMEOUT_MS);
    if (options.workers > 0) await waitForWorkers(stack);
  } catch (error) {
    await cleanup();
    throw error;
  }
  return stack;
}

/** Waits until `/readyz` reports a connected worker. */
async function waitForWorkers(stack: ServiceStack): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    stack.assertRunning();
    const response = await fetch(`${stack.baseUrl}/readyz`);
    await response.arrayBuffer();
    if (response.status === 200) return;
    await sleep(100);
  }
  throw new Error(`no worker connected within ${READY_TIMEOUT_MS} ms; see the worker output above`);
}

function assertChildrenRunning(children: ChildProcess[]): void {
  for (const child of children) {
    if (child.exitCode !== null || child.signalCode !== null) {
      const how = child.signalCode ?? `code ${child.exitCode}`;
      throw new Error(`service process ${child.pid} exited early (${how}); see its output above`);
    }
  }
}

/** Sends SIGTERM, and SIGKILL after STOP_TIMEOUT_MS if the process is still running. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

/** Registers a cleanup that runs if the bench is interrupted; returns its removal. */
export function onInterrupt(cleanup: () => Promise<void>): () => void {
  activeCleanups.add(cleanup);
  return () => activeCleanups.delete(cleanup);
}

/** Stops every running stack and deletes its keys on SIGINT or SIGTERM, then exits. */
export function cleanUpOnSignals(): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(130);
    stopping = true;
    process.stderr.write(`${signal}: stopping service processes and deleting bench keys\n`);
    const cleanups = [...activeCleanups].map((cleanup) => cleanup());
    Promise.allSettled(cleanups).then(() => process.exit(130));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

/** Starts a simulator with `faults` and a stack pointed at it, runs `use`, then stops both. */
export async function withService<T>(
  faults: Partial<GatewayFaults>,
  options: Omit<ServiceStackOptions, 'gatewayUrl'>,
  use: (stack: ServiceStack, simulator: RunningSimulator) => Promise<T>,
): Promise<T> {
  const simulator = await startSimulator(faults);
  try {
    const stack = await startServiceStack({ ...options, gatewayUrl: simulator.url });
    try {
      return await use(stack, simulator);
    } finally {
      await stack.stop();
    }
  } finally {
    await simulator.close();
  }
}
