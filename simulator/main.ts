/**
 * Runs the Vonage gateway simulator until SIGINT or SIGTERM.
 *
 * Environment: SIMULATOR_PORT (default 8025, 0 picks a free port), SIMULATOR_HOST (default
 * 127.0.0.1; 0.0.0.0 inside a container), VONAGE_API_KEY and
 * VONAGE_API_SECRET (defaults `simulator-key` and `simulator-secret`), LOG_LEVEL.
 */
import { createLogger } from '../shared/logger.js';
import { GatewaySimulator } from './gateway-simulator.js';

const DEFAULT_PORT = 8025;
const DEFAULT_API_KEY = 'simulator-key';
const DEFAULT_API_SECRET = 'simulator-secret';

const logger = createLogger();

function readPort(value: string | undefined): number {
  if (value === undefined || value === '') {
    return DEFAULT_PORT;
  }
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`SIMULATOR_PORT must be a whole number from 0 to 65535; got "${value}"`);
  }
  return port;
}

async function main(): Promise<void> {
  const port = readPort(process.env.SIMULATOR_PORT);
  const apiKey = process.env.VONAGE_API_KEY || DEFAULT_API_KEY;
  const apiSecret = process.env.VONAGE_API_SECRET || DEFAULT_API_SECRET;
  const simulator = new GatewaySimulator({ apiKey, apiSecret, logger });

  const { url } = await simulator.listen(port, process.env.SIMULATOR_HOST || '127.0.0.1');
  const defaultCredentials = apiKey === DEFAULT_API_KEY && apiSecret === DEFAULT_API_SECRET;
  logger.info({ url, defaultCredentials }, 'gateway simulator listening');

  const stop = (signal: NodeJS.Signals): void => {
    logger.info({ signal }, 'gateway simulator stopping');
    simulator.close().then(
      () => logger.info('gateway simulator stopped'),
      (error: unknown) => {
        logger.error({ err: error }, 'gateway simulator failed to close');
        process.exitCode = 1;
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  logger.error({ err: error }, 'gateway simulator failed to start');
  process.exitCode = 1;
});
