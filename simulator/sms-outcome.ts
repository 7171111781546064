import type { GatewayFaults, ScriptedOutcome } from './fault-settings.js';
import { STATUS_THROTTLED } from './vonage-status.js';

/**
 * Outcome chosen for a valid SMS request: store the message (with `late`, respond only after
 * the timeout delay), send a Vonage error status, or fail with HTTP 500.
 */
export type SmsOutcome =
  | { kind: 'accept'; late: boolean }
  | { kind: 'status'; status: string }
  | { kind: 'serverError' };

const ACCEPT: SmsOutcome = { kind: 'accept', late: false };
const THROTTLE: SmsOutcome = { kind: 'status', status: STATUS_THROTTLED };

/**
 * Picks the outcome of a valid SMS request to `digits`. Checks run in this order, and the
 * first that applies wins: a scripted outcome for the number (consumed from `faults`),
 * `rejectNumbers`, `maxPerSecond`, `serverErrorShare`, then `throttleShare`.
 *
 * @param requestsInWindow - requests in the rolling second, this one included
 * @param random - source of numbers in [0, 1). Each share above 0 draws one number.
 */
export function pickOutcome(
  faults: GatewayFaults,
  digits: string,
  requestsInWindow: number,
  random: () => number,
): SmsOutcome {
  const scripted = takeScriptedOutcome(faults, digits);
  if (scripted !== undefined) {
    return outcomeFromScript(scripted);
  }
  if (Object.hasOwn(faults.rejectNumbers, digits)) {
    return { kind: 'status', status: faults.rejectNumbers[digits]! };
  }
  if (faults.maxPerSecond !== null && requestsInWindow > faults.maxPerSecond) {
    return THROTTLE;
  }
  if (drawsUnder(faults.serverErrorShare, random)) {
    return { kind: 'serverError' };
  }
  if (drawsUnder(faults.throttleShare, random)) {
    return THROTTLE;
  }
  return ACCEPT;
}

function takeScriptedOutcome(faults: GatewayFaults, digits: string): ScriptedOutcome | undefined {
  if (!Object.hasOwn(faults.scripted, digits)) {
    return undefined;
  }
  const outcomes = faults.scripted[digits]!;
  const next = outcomes.shift();
  // An exhausted script is removed so that GET /faults shows only what is still pending.
  if (outcomes.length === 0) {
    delete faults.scripted[digits];
  }
  return next;
}

function outcomeFromScript(scripted: ScriptedOutcome): SmsOutcome {
  switch (scripted) {
    case 'ok':
      return ACCEPT;
    case 'throttle':
      return THROTTLE;
    case '5xx':
      return { kind: 'serverError' };
    case 'timeout':
      return { kind: 'accept', late: true };
    default:
      return { kind: 'status', status: scripted };
  }
}

function drawsUnder(share: number, random: () => number): boolean {
  return share > 0 && random() < share;
}
