import { loadConfig } from '../shared/config.js';
import { createLogger } from '../shared/logger.js';
import { assertRedisReachable } from '../shared/redis-connection.js';
import { runApi } from './run-api.js';
import { exitOnStartupError, closeOnSignals } from '../shared/process-lifecycle.js';

/** The API alone; run workers beside it with `npm run worker`. */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  await assertRedisReachable(config.redisUrl);
  const api = await runApi(config, logger);
  closeOnSignals(logger, [api]);
}

main().catch(exitOnStartupError);
