/**
 * Waiting clients: 1,000 one-user sync requests at once. Every one should get a 200 response with
 * its number a success, and the API process should keep at most 4 Redis connections while
 * they wait, however many requests wait.
 */
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { benchNumbers, REDIS_URL } from './bench-support.js';
import { RedisConnectionSampler } from './redis-connection-sampler.js';
import { repeatRuns, type RunFigures, type Scenario, type ScenarioOptions } from './scenario.js';
import { submitUsers, usersBody } from './service-client.js';
import { type ServiceStack, withService } from './service-stack.js';

const MAX_CONNECTIONS = 4;
/** Longer than the service's SYNC_WAIT_MS (25 s by default), after which it responds 202. */
const REQUEST_TIMEOUT_MS = 60_000;

/** Sends one sync request and returns whether it came back 200 with the number a success. */
async function requestSucceeds(stack: ServiceStack, number: string): Promise<boolean> {
  try {
    const signal = AbortSignal.timeout(REQUEST_TIMEOUT_MS);
    const result = await submitUsers(stack, usersBody([number]), false, signal);
    return result.status === 200 && result.body.success_numbers?.[0] === number;
  } catch {
    return false;
  }
}

async function runOnce(options: ScenarioOptions): Promise<RunFigures> {
  const clients = options.quick ? 100 : 1_000;
  const stackOptions = { workers: 1, nodeArgs: options.serviceNodeArgs };
  return withService({}, stackOptions, async (stack) => {
    const redis = new Redis(REDIS_URL);
    const redisPort = Number(new URL(REDIS_URL).port || 6379);
    const namePrefix = `${stack.prefix}:api`;
    const sampler = new RedisConnectionSampler(redis, namePrefix, stack.api.pid!, redisPort);
    try {
      sampler.start();
      const started = performance.now();
      const requests = benchNumbers(clients).map((number) => requestSucceeds(stack, number));
      const results = await Promise.all(requests);
      const seconds = (performance.now() - started) / 1000;
      const counts = await sampler.stop();
      if (counts.samples === 0) throw new Error('no connection sample was taken during the run');
      return {
        failed: results.filter((ok) => !ok).length,
        maxByName: counts.maxByName,
        maxByPort: counts.maxByPort,
        seconds,
      };
    } finally {
      await sampler.stop();
      redis.disconnect();
    }
  });
}

export const waitingClients: Scenario = {
  name: 'waiting-clients',
  description:
    '1,000 one-user sync requests (100 with --quick) sent at once; API plus one worker process. ' +
    'Failed = no 200 response with the number in success_numbers. API Redis connections ' +
    'sampled every 100 ms from CLIENT LIST: by name (name starts with <KEY_PREFIX>:api) and by ' +
    "port (addr is one of the API process's sockets to Redis in `ss -tnp`).",
  target:
    `0 failed and ≤ ${MAX_CONNECTIONS} API Redis connections, by name and by port, ` +
    'in every run',
  figures: [
    { key: 'failed', label: 'failed requests', unit: '', digits: 0 },
    { key: 'maxByName', label: 'max API connections by name', unit: '', digits: 0 },
    { key: 'maxByPort', label: 'max API connections by port', unit: '', digits: 0 },
    { key: 'seconds', label: 'time until all responded', unit: 's', digits: 1 },
  ],
  conditions: [
    { figure: 'failed', statistic: 'max', comparison: '<=', limit: 0 },
    { figure: 'maxByName', statistic: 'max', comparison: '<=', limit: MAX_CONNECTIONS },
    { figure: 'maxByPort', statistic: 'max', comparison: '<=', limit: MAX_CONNECTIONS },
  ],
  measure: (options) => repeatRuns(options, () => runOnce(options)),
};
