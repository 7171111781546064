/**
 * Gateway-bound: the simulator throttles past 30 SMS in any rolling second, and the service
 * runs with a global send rate of 30/s (GATEWAY_RATE_PER_SECOND). 1,500 users (3,000 SMS)
 * should go out at nearly that rate without a single throttled response.
 */
import { benchNumbers } from './bench-support.js';
import { repeatRuns, type RunFigures, type Scenario, type ScenarioOptions } from './scenario.js';
import { submitAndSettle } from './service-client.js';
import { withService } from './service-stack.js';

const RATE_PER_SECOND = 30;
const MIN_SMS_PER_SECOND = 0.97 * RATE_PER_SECOND;

async function runOnce(options: ScenarioOptions): Promise<RunFigures> {
  const users = options.quick ? 150 : 1_500;
  const faults = { maxPerSecond: RATE_PER_SECOND, delayMs: 0 };
  const stackOptions = {
    workers: 1,
    env: { GATEWAY_RATE_PER_SECOND: String(RATE_PER_SECOND) },
    nodeArgs: options.serviceNodeArgs,
  };
  return withService(faults, stackOptions, async (stack, simulator) => {
    // Four times the ideal duration leaves room for retries after throttled responses.
    const idealMs = ((users * 2) / RATE_PER_SECOND) * 1000;
    const batch = await submitAndSettle(stack, benchNumbers(users), idealMs * 4 + 60_000);
    const stats = simulator.simulator.stats();
    return {
      smsPerSecond: stats.accepted / (batch.ms / 1000),
      throttled: stats.throttled,
      failedUsers: batch.counts.error,
      maxInRollingSecond: stats.maxRequestsPerRollingSecond,
    };
  });
}

export const gatewayBound: Scenario = {
  name: 'gateway-bound',
  description:
    '1,500 users (150 with --quick) in one async submission; simulator maxPerSecond 30 and ' +
    'delayMs 0; service GATEWAY_RATE_PER_SECOND=30, one worker process. SMS/s = SMS the ' +
    'simulator accepted / seconds from the POST until the batch settled.',
  target: `SMS/s ≥ 0.97 × ${RATE_PER_SECOND} (median) and 0 throttled responses in every run`,
  figures: [
    { key: 'smsPerSecond', label: 'accepted SMS/s', unit: 'SMS/s', digits: 2 },
    { key: 'throttled', label: 'throttled responses', unit: '', digits: 0 },
    { key: 'failedUsers', label: 'users settled as error', unit: '', digits: 0 },
    { key: 'maxInRollingSecond', label: 'max requests in a rolling second', unit: '', digits: 0 },
  ],
  conditions: [
    { figure: 'smsPerSecond', statistic: 'median', comparison: '>=', limit: MIN_SMS_PER_SECOND },
    { figure: 'throttled', statistic: 'max', comparison: '<=', limit: 0 },
  ],
  measure: (options) => repeatRuns(options, () => runOnce(options)),
};
