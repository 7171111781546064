/**
 * Switchable faults of the gateway simulator and the validation of changes to them, shared by
 * `GatewaySimulator.setFaults` and `PUT /faults`.
 */
import { ERROR_STATUSES, isErrorStatus } from './vonage-status.js';

/**
 * Outcome forced for one request to one number: accept (`ok`), status "1" (`throttle`),
 * HTTP 500 (`5xx`), accept but respond late (`timeout`), or the given Vonage error status.
 */
export type ScriptedOutcome = 'ok' | 'throttle' | '5xx' | 'timeout' | string;

/** Fault settings of a {@link GatewaySimulator}. The defaults switch every fault off. */
export interface GatewayFaults {
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

/** Error for fault settings that fail validation. The message names the field and the fix. */
export class InvalidFaultSettingsError extends Error {
  override name = 'InvalidFaultSettingsError';

  /**
   * @param field - the top-level setting that failed, or `body` when the input is no object.
   *   Unlike the message, it never contains a phone number, so it is safe to log.
   */
  constructor(readonly field: string, message: string) {
    super(message);
  }
}

// setTimeout fires at once for delays above 2^31 - 1 ms, so the cap stays well below that.
const MAX_DELAY_MS = 600_000;
const KEYWORD_OUTCOMES: readonly string[] = ['ok', 'throttle', '5xx', 'timeout'];
const PHONE_DIGITS = /^\+?\d+$/;

type FieldParsers = { [K in keyof GatewayFaults]: (value: unknown) => GatewayFaults[K] };

const FIELD_PARSERS: FieldParsers = {
  throttleShare: (value) => parseShare('throttleShare', value),
  serverErrorShare: (value) => parseShare('serverErrorShare', value),
  delayMs: parseDelay,
  rejectNumbers: parseRejectNumbers,
  maxPerSecond: parseMaxPerSecond,
  scripted: parseScripted,
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

function parseShare(field: string, value: unknown): number {
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) {
    throw new InvalidFaultSettingsError(field,
      `${field} must be a number from 0 to 1; got ${describeValue(value)}`,
    );
  }
  return value;
}

function parseDelay(value: unknown): number {
  if (!Number.isInteger(value) || (value as number) < 0 || (value as number) > MAX_DELAY_MS) {
    throw new InvalidFaultSettingsError('delayMs',
      `delayMs must be a whole number of milliseconds from 0 to ${MAX_DELAY_MS}; ` +
        `got ${describeValue(value)}`,
    );
  }
  return value as number;
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

// Checks a map keyed by phone number and returns [digits, value, original key] triples.
function parseNumberMap(
  field: string,
  value: unknown,
  valueHint: string,
): Array<[string, unknown, string]> {
  if (!isPlainObject(value)) {
    throw new InvalidFaultSettingsError(field,
      `${field} must be an object mapping phone numbers to ${valueHint}; ` +
        `got ${describeValue(value)}`,
    );
  }
  return Object.entries(value).map(([key, entry]) => {
    if (!PHONE_DIGITS.test(key)) {
      throw new InvalidFaultSettingsError(field,
        `${field} key "${key}" must be a phone number of digits with an optional leading +`,
      );
    }
    return [key.replace(/^\+/, ''), entry, key];
  });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describeValue(value: unknown): string {
  if (Array.isArray(value)) {
    return 'an array';
  }
  if (typeof value === 'number' || value === undefined) {
    return String(value);
  }
  const text = JSON.stringify(value) ?? typeof value;
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
