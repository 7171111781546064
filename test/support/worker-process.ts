import { spawn, type ChildProcess } from 'node:child_process';
import type { Config } from '../../shared/config.js';
import { appendProcessOutput } from './test-log.js';
import { waitFor } from './wait-for.js';

/**
 * A worker in a process of its own (`worker/main.ts`), configured like the
 * harness's service, so a test can kill it the way a crash would.
 */
export class WorkerProcess {
  private child: ChildProcess | null = null;
  private output = '';

  constructor(
    private readonly config: Config,
    private readonly env: Record<string, string> = {},
  ) {}

  async start(): Promise<void> {
    this.output = '';
    const env = {
      ...process.env,
      REDIS_URL: this.config.redisUrl,
      KEY_PREFIX: this.config.keyPrefix,
      VONAGE_REST_URL: this.config.gatewayUrl ?? '',
      VONAGE_API_KEY: '',
      VONAGE_API_SECRET: '',
      LOG_LEVEL: 'info',
      ...this.env,
    };
    const child = spawn(process.execPath, ['--import', 'tsx', 'worker/main.ts'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.child = child;
    await waitFor(() => this.output.includes('worker started') || child.exitCode !== null, 'the worker to start', 30_000, 50);
    if (child.exitCode !== null) throw new Error(`worker exited at start: ${this.output}`);
  }

  /** Kills the worker with SIGKILL, as a crash or the OOM killer would. */
  async kill(): Promise<void> {
    await this.stop('SIGKILL');
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
    appendProcessOutput('worker process', this.output);
  }
}
