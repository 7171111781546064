import type { Config } from '../shared/config.js';
import type { SmsGateway } from './sms-gateway.js';
import { VonageGateway } from './vonage-gateway.js';

/** Credentials the bundled simulator accepts when no Vonage account is configured. */
export const SIMULATOR_CREDENTIALS = { apiKey: 'simulator-key', apiSecret: 'simulator-secret' };

/**
 * Builds the gateway from configuration. Without Vonage credentials the
 * service talks to the bundled simulator on SIMULATOR_PORT.
 */
export function createGateway(config: Config): SmsGateway {
  const credentials = config.vonage ?? SIMULATOR_CREDENTIALS;
  const restHost = config.gatewayUrl ?? (config.vonage ? undefined : `http://127.0.0.1:${config.simulatorPort}`);
  return new VonageGateway({ ...credentials, restHost, timeoutMs: config.gatewayTimeoutMs });
}
