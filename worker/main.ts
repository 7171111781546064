import { loadConfig } from '../shared/config.js';
import { createLogger } from '../shared/logger.js';
import { closeOnSignals, exitOnStartupError } from '../shared/process-lifecycle.js';
import { assertRedisReachable } from '../shared/redis-connection.js';
import { runWorker } from './run-worker.js';

/** A worker process; start as many as the gateway's rate allows. */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  await assertRedisReachable(config.redisUrl);
  const worker = await runWorker(config, logger);
  closeOnSignals(logger, [worker]);
}

main().catch(exitOnStartupError);
