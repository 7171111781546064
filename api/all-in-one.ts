import { ApiKeyStore } from '../shared/api-key-store.js';
import { loadConfig, type Config } from '../shared/config.js';
import { demoKey, DEMO_USERNAME, seedDemo } from '../shared/demo-seed.js';
import { createLogger, type Logger } from '../shared/logger.js';
import { closeOnSignals, exitOnStartupError, type Closable } from '../shared/process-lifecycle.js';
import { assertRedisReachable } from '../shared/redis-connection.js';
import { RedisKeys } from '../shared/redis-keys.js';
import { GatewaySimulator } from '../simulator/gateway-simulator.js';
import { SIMULATOR_CREDENTIALS } from '../worker/create-gateway.js';
import { runWorker } from '../worker/run-worker.js';
import { runApi } from './run-api.js';

/**
 * The whole service in one process: the API, a worker, and the gateway
 * simulator when no Vonage credentials are set. Seeds the demo project so
 * the README's first request works as printed.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  await assertRedisReachable(config.redisUrl);

  const parts: Closable[] = [];
  if (!config.vonage && !config.gatewayUrl) parts.push(await startSimulator(config, logger));
  const api = await runApi(config, logger);
  parts.unshift(api);
  parts.unshift(await runWorker(config, logger));
  closeOnSignals(logger, parts);

  const { registry, redis } = api.services;
  const key = demoKey(config.dataDir, config.demoApiKey);
  await seedDemo(registry, new ApiKeyStore(redis, new RedisKeys(config.keyPrefix)), key.key);
  announce(api.port, key);
}

async function startSimulator(config: Config, logger: Logger): Promise<Closable> {
  const simulator = new GatewaySimulator(SIMULATOR_CREDENTIALS);
  const { url } = await simulator.listen(config.simulatorPort);
  logger.info({ url }, 'gateway simulator listening; its inbox is at /inbox/{digits}');
  return simulator;
}

/** Tells a new user how to make the first request; a generated key is shown this once. */
function announce(port: number, key: ReturnType<typeof demoKey>): void {
  const shown = key.generated ? key.key : key.file ? `$(cat ${key.file})` : '$DEMO_API_KEY';
  const lines = [
    `Service ready on http://127.0.0.1:${port}`,
    key.generated ? `Demo API key (shown once, kept in ${key.file}): ${key.key}` : '',
    'Try:',
    `  curl -s -H "Authorization: ApiKey ${DEMO_USERNAME}:${shown}" \\`,
    `    -d '{"app_id": "abcd1234abcd1234", "users": [{"phone_number": "16175551234"}]}' \\`,
    `    http://127.0.0.1:${port}/a/demo/api/v0_5/sms_user_registration_reinstall/`,
  ];
  process.stdout.write(`${lines.filter(Boolean).join('\n')}\n`);
}

main().catch(exitOnStartupError);
