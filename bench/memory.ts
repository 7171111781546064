/**
 * Memory: peak RSS of the API process and of the worker process while 100,000 users go through
 * the service, submitted as 10 async requests of 10,000 one after another.
 */
import { performance } from 'node:perf_hooks';
import { benchNumbers } from './bench-support.js';
import { RssSampler } from './rss-sampler.js';
import { repeatRuns, type RunFigures, type Scenario, type ScenarioOptions } from './scenario.js';
import { submitAsync, usersBody, waitUntilSettled } from './service-client.js';
import { type ServiceStack, withService } from './service-stack.js';

const REQUESTS = 10;
const MAX_RSS_MB = 200;
const TIME_LIMIT_MS = 30 * 60_000;

/** Submits every request, then waits for every batch; returns the users per second. */
async function sendAll(stack: ServiceStack, usersPerRequest: number): Promise<number> {
  const started = performance.now();
  const locations: string[] = [];
  for (let i = 0; i < REQUESTS; i++) {
    const numbers = benchNumbers(usersPerRequest, i * usersPerRequest);
    locations.push(await submitAsync(stack, usersBody(numbers)));
  }
  for (const location of locations) {
    const batch = await waitUntilSettled(stack, location, started + TIME_LIMIT_MS);
    if (batch.counts?.success !== usersPerRequest) {
      const successes = batch.counts?.success;
      throw new Error(`a batch settled with ${successes} of ${usersPerRequest} successes`);
    }
  }
  return (REQUESTS * usersPerRequest) / ((performance.now() - started) / 1000);
}

async function runOnce(options: ScenarioOptions): Promise<RunFigures> {
  const usersPerRequest = options.quick ? 1_000 : 10_000;
  const stackOptions = { workers: 1, nodeArgs: options.serviceNodeArgs };
  return withService({}, stackOptions, async (stack) => {
    const api = new RssSampler(stack.api.pid!);
    const worker = new RssSampler(stack.workers[0].pid!);
    api.start();
    worker.start();
    try {
      const usersPerSecond = await sendAll(stack, usersPerRequest);
      const [apiPeak, workerPeak] = [await api.stop(), await worker.stop()];
      return {
        apiPeak: apiPeak.peakRssMB,
        workerPeak: workerPeak.peakRssMB,
        apiHwm: apiPeak.hwmMB,
        workerHwm: workerPeak.hwmMB,
        usersPerSecond,
      };
    } finally {
      await Promise.all([api.stop(), worker.stop()]);
    }
  });
}

export const memory: Scenario = {
  name: 'memory',
  description:
    '100,000 users (10,000 with --quick) as 10 async requests, then `?wait=` polls until every ' +
    'batch settles; API plus one worker process, no send limit, MAX_BODY_BYTES at its default ' +
    '(2 MiB, about 6 times a 10,000-user body). VmRSS sampled every 100 ms; VmHWM read at the end.',
  target: `peak RSS ≤ ${MAX_RSS_MB} MB for the API and for the worker, in every run`,
  figures: [
    { key: 'apiPeak', label: 'API peak VmRSS', unit: 'MB', digits: 0 },
    { key: 'workerPeak', label: 'worker peak VmRSS', unit: 'MB', digits: 0 },
    { key: 'apiHwm', label: 'API VmHWM at end', unit: 'MB', digits: 0 },
    { key: 'workerHwm', label: 'worker VmHWM at end', unit: 'MB', digits: 0 },
    { key: 'usersPerSecond', label: 'users/s over the whole run', unit: 'users/s', digits: 0 },
  ],
  conditions: [
    { figure: 'apiPeak', statistic: 'max', comparison: '<=', limit: MAX_RSS_MB },
    { figure: 'workerPeak', statistic: 'max', comparison: '<=', limit: MAX_RSS_MB },
  ],
  measure: (options) => repeatRuns(options, () => runOnce(options)),
};
