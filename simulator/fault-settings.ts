/**
 * Switchable faults of the gateway simulator and the validation of changes to them, shared by
 * `GatewaySimulator.setFaults` and `PUT /faults`.
 */
import {
  describeValue,
  InvalidFaultSettingsError,
  isPlainObject,
  parseMilliseconds,
  parseNumberMap,
  parseShare,
} from './setting-validation.js';
import {
  defaultWebhookSettings,
  WEBHOOK_FIELD_PARSERS,
  type WebhookSettings,
} from './receipt-settings.js';
import { ERROR_STATUSES, isErrorStatus } from './vonage-status.js';

export { InvalidFaultSettingsError } from './setting-validation.js';

/**
 * Outcome forced for one request to one number: accept (`ok`), status "1" (`throttle`),
 * HTTP 500 (`5xx`), accept but respond late (`timeout`), or the given Vonage error status.
 */
export type ScriptedOutcome = 'ok' | 'throttle' | '5xx' | 'timeout' | string;

/**
 * Fault and webhook settings of a {@link GatewaySimulator}. The defaults switch every fault
 * off and send no webhooks.
 */
export interface GatewayFaults extends WebhookSettings {
  /** Share of SMS requests, from 0 to 1, that get status "1" (Throttled). */
  throttleShare: number;
  /** Share of SMS requests, from 0 to 1, that get HTTP 500. */
  serverErrorShare: number;
  /** Milliseconds to wait before each SMS response. Messages are stored before the wait. */
  delayMs: number;
  /** Destination digits mapped to the Vonage error status that number always gets. */
  rejectNumbers: Record<string, string>;
  /** Limit on SMS requests in any rolling second, or null for no limit. */
  maxPerSecond: number | null;
  /** Destination digits mapped to outcomes that the next requests to that number consume. */
  scripted: Record<string, ScriptedOutcome[]>;
}

const KEYWORD_OUTCOMES: readonly string[] = ['ok', 'throttle', '5xx', 'timeout'];

type FieldParsers = { [K in keyof GatewayFaults]: (value: unknown) => GatewayFaults[K] };

const FIELD_PARSERS: FieldParsers = {
  throttleShare: (value) => parseShare('throttleShare', value),
  serverErrorShare: (value) => parseShare('serverErrorShare', value),
  delayMs: (value) => parseMilliseconds('delayMs', value),
  rejectNumbers: parseRejectNumbers,
  maxPerSecond: parseMaxPerSecond,
  scripted: parseScripted,
  ...WEBHOOK_FIELD_PARSERS,
};

const FIELD_NAMES = Object.keys(FIELD_PARSERS) as Array<keyof GatewayFaults>;

/** Creates fault settings with every fault switched off. */
export function defaultFaults(): GatewayFaults {
  return {
    throttleShare: 0,
    serverErrorShare: 0,
    delayMs: 0,
    rejectNumbers: {},
    maxPerSecond: null,
    scripted: {},
    ...defaultWebhookSettings(),
  };
}

/**
 * Validates a partial fault settings object and returns a normalised copy, with phone number
 * keys reduced to digits.
 *
 * @throws InvalidFaultSettingsError when `input` is not an object, has an unknown field, or
 *   has a field of the wrong type or range.
 */
export function parseFaultPatch(input: unknown): Partial<GatewayFaults> {
  if (!isPlainObject(input)) {
    throw new InvalidFaultSettingsError('body',
      'fault settings must be a JSON object such as {"throttleShare": 0.5}; ' +
        `got ${describeValue(input)}`,
    );
  }
  const patch: Partial<Record<keyof GatewayFaults, unknown>> = {};
  for (const [field, value] of Object.entries(input)) {
    if (!isFaultField(field)) {
      throw new InvalidFaultSettingsError('unknown field',
        `unknown fault setting "${field}"; use one of ${FIELD_NAMES.join(', ')}`,
      );
    }
    patch[field] = FIELD_PARSERS[field](value);
  }
  return patch as Partial<GatewayFaults>;
}

function isFaultField(field: string): field is keyof GatewayFaults {
  return Object.hasOwn(FIELD_PARSERS, field);
}

function parseMaxPerSecond(value: unknown): number | null {
  if (value === null) {
    return null;
  }
  if (!Number.isInteger(value) || (value as number) < 1) {
    throw new InvalidFaultSettingsError('maxPerSecond',
      `maxPerSecond must be a whole number of at least 1, or null for no limit; ` +
        `got ${describeValue(value)}`,
    );
  }
  return value as number;
}

function parseRejectNumbers(value: unknown): Record<string, string> {
  const entries = parseNumberMap('rejectNumbers', value, 'a Vonage error status such as "6"');
  const result: Record<string, string> = {};
  for (const [digits, status, key] of entries) {
    if (!isErrorStatus(status)) {
      throw new InvalidFaultSettingsError('rejectNumbers',
        `rejectNumbers["${key}"] must be a non-zero Vonage status string, one of ` +
          `${ERROR_STATUSES.join(', ')}; got ${describeValue(status)}`,
      );
    }
    result[digits] = status;
  }
  return result;
}

function parseScripted(value: unknown): Record<string, ScriptedOutcome[]> {
  const entries = parseNumberMap('scripted', value, 'an array of outcomes such as ["throttle"]');
  const result: Record<string, ScriptedOutcome[]> = {};
  for (const [digits, outcomes, key] of entries) {
    if (!Array.isArray(outcomes)) {
      throw new InvalidFaultSettingsError('scripted',
        `scripted["${key}"] must be an array of outcomes such as ["throttle", "ok"]; ` +
          `got ${describeValue(outcomes)}`,
      );
    }
    result[digits] = outcomes.map((outcome, index) => parseOutcome(key, index, outcome));
  }
  return result;
}

function parseOutcome(key: string, index: number, outcome: unknown): ScriptedOutcome {
  if (typeof outcome === 'string' && (KEYWORD_OUTCOMES.includes(outcome) ||
    isErrorStatus(outcome))) {
    return outcome;
  }
  throw new InvalidFaultSettingsError('scripted',
    `scripted["${key}"][${index}] must be "ok", "throttle", "5xx", "timeout" or a non-zero ` +
      `Vonage status string such as "6"; got ${describeValue(outcome)}`,
  );
}
