/**
 * The SDK calls that every baseline makes for one user: the service's two messages, sent one
 * after the other with the Vonage SDK to the simulator, and nothing else.
 */
import { Auth } from '@vonage/auth';
import { Vonage } from '@vonage/server-sdk';
import { SIMULATOR_CREDENTIALS } from '../worker/create-gateway.js';

/** Texts of about the length of the service's two messages, one GSM-7 segment each. */
const LINK_TEXT =
  'Please tap this link to reinstall CommCare on your phone: ' +
  'https://play.google.com/store/apps/details?id=org.commcare.dalvik';
const INSTALL_TEXT =
  '[commcare app - do not delete] ' +
  Buffer.from('http://127.0.0.1:8000/a/bench/sms/app_info/app1/').toString('base64');

/** Same SDK call timeout as the service's default GATEWAY_TIMEOUT_MS. */
const TIMEOUT_MS = 10_000;

/** Creates an SDK client for the simulator at `restHost`, set up as the service's worker does. */
export function createSimulatorVonage(restHost: string): Vonage {
  return new Vonage(new Auth(SIMULATOR_CREDENTIALS), { timeout: TIMEOUT_MS, restHost });
}

/** Sends one user's two messages in order; rejects when the gateway rejects either. */
export async function sendBothMessages(vonage: Vonage, to: string): Promise<void> {
  await vonage.sms.send({ to, from: 'CommCare', text: LINK_TEXT });
  await vonage.sms.send({ to, from: 'CommCare', text: INSTALL_TEXT });
}
