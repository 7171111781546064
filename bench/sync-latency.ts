/**
 * Sync latency: one-user synchronous requests, one at a time, timed from the POST until the
 * response (both SMS sent and the batch settled), against two bare SDK calls in a row to the same
 * simulator.
 */
import { performance } from 'node:perf_hooks';
import { createSimulatorVonage, sendBothMessages } from './baseline-sdk.js';
import { benchNumbers, percentile } from './bench-support.js';
import { repeatRuns, type RunFigures, type Scenario, type ScenarioOptions } from './scenario.js';
import { submitUsers, usersBody } from './service-client.js';
import { type ServiceStack, withService } from './service-stack.js';

const WARM_UP = 20;
/** Milliseconds the target allows on top of 1.5 × the bare p50. */
const ALLOWANCE_MS = 10;

/** Times `count` sequential one-user sync requests, numbers from `start`; sorted, in ms. */
async function timeRequests(stack: ServiceStack, count: number, start: number): Promise<number[]> {
  const latencies: number[] = [];
  for (let i = 0; i < count; i++) {
    const [number] = benchNumbers(1, start + i);
    const started = performance.now();
    const result = await submitUsers(stack, usersBody([number]), false);
    latencies.push(performance.now() - started);
    if (result.status !== 200 || result.body.success_numbers?.[0] !== number) {
      throw new Error(`sync request ${i} returned HTTP ${result.status} without a success`);
    }
  }
  return latencies.sort((a, b) => a - b);
}

/**
 * Times `count` pairs of SDK calls from the bench process, which also hosts the simulator,
 * as the service's requests do too; sorted, in ms.
 */
async function timeBareCalls(gatewayUrl: string, count: number, start: number): Promise<number[]> {
  const vonage = createSimulatorVonage(gatewayUrl);
  const latencies: number[] = [];
  for (let i = 0; i < count; i++) {
    const [number] = benchNumbers(1, start + i);
    const started = performance.now();
    await sendBothMessages(vonage, number);
    latencies.push(performance.now() - started);
  }
  return latencies.sort((a, b) => a - b);
}

async function runOnce(options: ScenarioOptions): Promise<RunFigures> {
  const samples = options.quick ? 50 : 200;
  const stackOptions = { workers: 1, nodeArgs: options.serviceNodeArgs };
  return withService({}, stackOptions, async (stack, simulator) => {
    const gatewayUrl = simulator.url;
    await timeRequests(stack, WARM_UP, 0);
    const service = await timeRequests(stack, samples, WARM_UP);
    await timeBareCalls(gatewayUrl, WARM_UP, 10_000);
    const bare = await timeBareCalls(gatewayUrl, samples, 10_000 + WARM_UP);
    const p50 = percentile(service, 50);
    const bareP50 = percentile(bare, 50);
    const ofAllowed = p50 / (1.5 * bareP50 + ALLOWANCE_MS);
    return { p50, p99: percentile(service, 99), bareP50, ofAllowed };
  });
}

export const syncLatency: Scenario = {
  name: 'sync-latency',
  description:
    `200 one-user sync requests (50 with --quick) one after another, after ${WARM_UP} warm-up ` +
    'requests; API plus one worker process, simulator delayMs 0. Bare: two SDK calls in a row ' +
    'from the bench process to the same simulator, same counts.',
  target: `service p50 ≤ 1.5 × bare p50 + ${ALLOWANCE_MS} ms (median of per-run p50 / allowed)`,
  figures: [
    { key: 'p50', label: 'service p50', unit: 'ms', digits: 1 },
    { key: 'p99', label: 'service p99', unit: 'ms', digits: 1 },
    { key: 'bareP50', label: 'bare SDK pair p50', unit: 'ms', digits: 1 },
    {
      key: 'ofAllowed',
      label: `p50 / (1.5 × bare p50 + ${ALLOWANCE_MS} ms)`,
      unit: '×',
      digits: 2,
    },
  ],
  conditions: [{ figure: 'ofAllowed', statistic: 'median', comparison: '<=', limit: 1 }],
  measure: (options) => repeatRuns(options, () => runOnce(options)),
};
