import { ApiKeyStore } from '../shared/api-key-store.js';
import { loadConfig, type Config } from '../shared/config.js';
import { demoKey, DEMO_USERNAME, seedDemo } from '../shared/demo-seed.js';
import { createLogger, type Logger } from '../shared/logger.js';
import { operatorPassword, type OperatorPassword } from '../shared/operator-password.js';
import { closeOnSignals, exitOnStartupError, type Closable } from '../shared/process-lifecycle.js';
import { assertRedisReachable } from '../shared/redis-connection.js';
import { RedisKeys } from '../shared/redis-keys.js';
import { GatewaySimulator } from '../simulator/gateway-simulator.js';
import { SIMULATOR_CREDENTIALS } from '../worker/create-gateway.js';
import { runWorker } from '../worker/run-worker.js';
import { BOARD_PATH } from './admin-board.js';
import { runApi } from './run-api.js';

/**
 * The whole service in one process: the API, a worker, and the gateway
 * simulator when no Vonage credentials are set. Seeds the demo project so
 * the README's first request works as printed.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  // Unlike `npm run api`, this always enables the dashboard, so a laptop needs no setup for it.
  const operator = operatorPassword(config.dataDir, config.operatorPassword);
  config.operatorPassword = operator.password;
  await assertRedisReachable(config.redisUrl);

  const parts: Closable[] = [];
  if (!config.vonage && !config.gatewayUrl) parts.push(await startSimulator(config, logger));
  const api = await runApi(config, logger);
  parts.unshift(api);
  parts.unshift(await runWorker(config, logger));
  closeOnSignals(logger, parts);

  const { registry, redis } = api.services;
  const key = demoKey(config.dataDir, config.demoApiKey);
  await seedDemo(registry, new ApiKeyStore(redis, new RedisKeys(config.keyPrefix)), key);
  announce(api.port, key);
  announceDashboard(api.port, config.operatorUser, operator);
}

async function startSimulator(config: Config, logger: Logger): Promise<Closable> {
  const simulator = new GatewaySimulator(SIMULATOR_CREDENTIALS);
  const { url } = await simulator.listen(config.simulatorPort);
  logger.info({ url }, 'gateway simulator listening; its inbox is at /inbox/{digits}');
  return simulator;
}

/**
 * Tells a new user how to make the first request. A generated key is shown
 * once, and only on a terminal: output that is not a terminal usually ends
 * up in a log, where keys must never appear.
 */
function announce(port: number, key: ReturnType<typeof demoKey>): void {
  const showKey = key.generated && process.stdout.isTTY;
  let keyInCommand = '$DEMO_API_KEY';
  if (showKey) keyInCommand = key.key;
  else if (key.file) keyInCommand = `$(cat ${key.file})`;
  const lines = [
    `Service ready on http://127.0.0.1:${port}`,
    showKey ? `Demo API key (shown once, kept in ${key.file}): ${key.key}` : '',
    'Try:',
    `  curl -s -H "Authorization: ApiKey ${DEMO_USERNAME}:${keyInCommand}" \\`,
    `    -d '{"app_id": "abcd1234abcd1234", "users": [{"phone_number": "16175551234"}]}' \\`,
    `    http://127.0.0.1:${port}/a/demo/api/v0_5/sms_user_registration_reinstall/`,
  ];
  process.stdout.write(`${lines.filter(Boolean).join('\n')}\n`);
}

/**
 * Prints where the operator dashboard is. A generated password is shown once
 * and, like the demo key, only on a terminal, so that it stays out of logs.
 */
function announceDashboard(port: number, user: string, operator: OperatorPassword): void {
  const source = operator.file ? `in ${operator.file}` : 'from OPERATOR_PASSWORD';
  const showPassword = operator.generated && process.stdout.isTTY;
  const lines = [
    `Operator dashboard: http://127.0.0.1:${port}${BOARD_PATH} (user ${user}, password ${source})`,
    showPassword ? `Operator password (shown once): ${operator.password}` : '',
  ];
  process.stdout.write(`${lines.filter(Boolean).join('\n')}\n`);
}

main().catch(exitOnStartupError);
