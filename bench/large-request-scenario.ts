/**
 * Large request: bench/large-request.ts as a scenario of the runner. A 10,000-user async
 * submission should get its response within 500 ms, and single-user requests served meanwhile
 * should take at most 50 ms longer than alone.
 */
import { measureLargeRequest } from './large-request.js';
import { repeatRuns, type RunFigures, type Scenario } from './scenario.js';

const MAX_RESPONSE_MS = 500;
const MAX_ADDED_MS = 50;

/**
 * Runs bench/large-request.ts once. It starts its API from this process's environment, which
 * is why the per-key request limit is raised here: it sends a few thousand requests a minute
 * with one key, far over the service's default of 600.
 */
async function runOnce(): Promise<RunFigures> {
  const saved = { ...process.env };
  process.env.API_RATE_PER_MINUTE = '100000';
  process.env.LOG_LEVEL = 'error';
  try {
    const result = await measureLargeRequest();
    if (result.largeStatus !== 202) {
      const status = result.largeStatus;
      throw new Error(`the 10,000-user submission returned HTTP ${status}, expected 202`);
    }
    return {
      largeMs: result.largeMs,
      addedMs: result.duringMax - result.idleP50,
      idleP50: result.idleP50,
      duringMax: result.duringMax,
      duringCount: result.duringCount,
    };
  } finally {
    for (const name of ['API_RATE_PER_MINUTE', 'LOG_LEVEL']) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  }
}

export const largeRequest: Scenario = {
  name: 'large-request',
  description:
    'bench/large-request.ts: API process alone (no worker), one 10,000-user async submission ' +
    'while one-user async requests go one at a time. The API validates, classifies and records ' +
    'the batch; a worker\'s fan-out job adds its 10,000 jobs after the response, so no worker ' +
    'is needed to measure the API. Added latency = max single request ' +
    'during the large one - p50 of 200 single requests alone. --quick and --cpu-prof do not ' +
    'apply to it.',
  target: `response ≤ ${MAX_RESPONSE_MS} ms and added ≤ ${MAX_ADDED_MS} ms (medians)`,
  figures: [
    { key: 'largeMs', label: '10,000-user submission response time', unit: 'ms', digits: 0 },
    { key: 'idleP50', label: 'single request p50 alone', unit: 'ms', digits: 1 },
    { key: 'duringMax', label: 'single request max during', unit: 'ms', digits: 1 },
    { key: 'duringCount', label: 'single requests during', unit: '', digits: 0 },
    { key: 'addedMs', label: 'added latency (max during - p50 alone)', unit: 'ms', digits: 1 },
  ],
  conditions: [
    { figure: 'largeMs', statistic: 'median', comparison: '<=', limit: MAX_RESPONSE_MS },
    { figure: 'addedMs', statistic: 'median', comparison: '<=', limit: MAX_ADDED_MS },
  ],
  measure: (options) => repeatRuns(options, runOnce),
};
