/**
 * JSON Schema 2020-12 definitions of the bodies the API reads and writes,
 * for the `components.schemas` section of the OpenAPI document. Objects that
 * the service builds set `additionalProperties: false`, so a field added to
 * a response without a matching change here fails the test suite's validation.
 */

export type JsonSchema = Record<string, unknown>;

/** Limits that the running configuration sets and the schemas state. */
export interface SchemaLimits {
  maxUsersPerRequest: number;
  /** Maximum length of `reinstall_message`, in UTF-16 code units. */
  maxReinstallMessageLength: number;
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

const stringList = (description: string) => ({
  type: 'array',
  items: { type: 'string' },
  description,
});

const timestamp = (description: string) => ({ type: 'string', format: 'date-time', description });

/** Exactly one `{}`: other characters, or `{` not followed by `}`, on both sides of it. */
const ONE_PLACEHOLDER = '^(?:[^{]|\\{(?!\\}))*\\{\\}(?:[^{]|\\{(?!\\}))*$';

const ERROR_REASON =
  '^(registered_to_another_project|opted_out|job_failed|outcome_unknown|throttled|' +
  'retries_exhausted:.+|rejected:.+)$';

const BATCH_ID = {
  type: 'string',
  pattern: '^[0-9a-f]{24}$',
  description: 'Batch id: 24 hex digits.',
};

const STEP = {
  type: 'integer',
  enum: [1, 2],
  description: '1 for the Play Store link message, 2 for the install message.',
};

const ENCODING = {
  type: 'string',
  enum: ['gsm7', 'unicode'],
  description: 'GSM-7 when every character is in the GSM 03.38 alphabet, else Unicode (UCS-2).',
};

const SEND_STATUS = {
  type: 'string',
  enum: ['sending', 'accepted', 'rejected', 'retrying', 'unknown'],
  description:
    '`unknown`: a send may have reached the gateway without a response (it timed out, or its ' +
    'process died), and waits for a delivery receipt or a timeout instead of a resend.',
};

function requestSchemas(limits: SchemaLimits): Record<string, JsonSchema> {
  return {
    ReinstallRequest: {
      type: 'object',
      required: ['app_id', 'users'],
      description: 'Other fields are ignored.',
      properties: {
        app_id: { type: 'string', minLength: 1, description: "Id of one of the project's apps." },
        users: {
          type: 'array',
          minItems: 1,
          maxItems: limits.maxUsersPerRequest,
          items: ref('ReinstallUser'),
          description:
            'Each number once after normalising. A request with more users than this gets 413.',
        },
        reinstall_message: {
          type: ['string', 'null'],
          pattern: ONE_PLACEHOLDER,
          examples: ['Tap to reinstall CommCare: {}'],
          maxLength: limits.maxReinstallMessageLength,
          description:
            'Text of the first SMS, with exactly one `{}` where the Play Store link goes; other ' +
            `braces stay as they are. At most ${limits.maxReinstallMessageLength} UTF-16 code ` +
            "units. Null or absent: the project's default text in each worker's language.",
        },
      },
    },
    ReinstallUser: {
      type: 'object',
      required: ['phone_number'],
      properties: {
        phone_number: {
          type: 'string',
          description:
            'Number with its country code. Spaces, `-`, `.`, `(`, `)` and a leading `+` or ' +
            '`00` are dropped before it is checked.',
          examples: ['16175551234'],
        },
      },
    },
  };
}

const RESULT_LISTS = {
  success_numbers: stringList('Numbers whose two messages the gateway accepted, as sent.'),
  invalid_format_numbers: stringList('Numbers that are not valid for their country, as sent.'),
  error_numbers: stringList(
    "Numbers registered to another project's worker, opted out, or whose sending failed, as sent.",
  ),
};

const COUNTS = {
  type: 'object',
  additionalProperties: false,
  required: ['total', 'success', 'invalid_format', 'error', 'pending'],
  properties: Object.fromEntries(
    ['total', 'success', 'invalid_format', 'error', 'pending'].map((name) => [
      name,
      { type: 'integer', minimum: 0 },
    ]),
  ),
};

const SUMMARY_PROPERTIES = {
  batch_id: BATCH_ID,
  status: { type: 'string', enum: ['pending', 'settled'] },
  app_id: { type: 'string' },
  created_at: timestamp('When the batch was accepted.'),
  settled_at: {
    type: ['string', 'null'],
    format: 'date-time',
    description: 'When its last number settled; null while pending.',
  },
  counts: COUNTS,
};

const BATCH_PROPERTIES = {
  ...SUMMARY_PROPERTIES,
  ...RESULT_LISTS,
  pending_numbers: stringList('Numbers still being sent, as sent.'),
};

function objectOf(properties: Record<string, unknown>, description?: string): JsonSchema {
  return {
    type: 'object',
    additionalProperties: false,
    required: Object.keys(properties),
    properties,
    ...(description ? { description } : {}),
  };
}

function resultSchemas(): Record<string, JsonSchema> {
  return {
    ReinstallResult: objectOf(
      RESULT_LISTS,
      'Every number of the request in one of the three lists, each in request order, ' +
        "serialised byte for byte as CommCare HQ's response.",
    ),
    BatchSummary: objectOf(SUMMARY_PROPERTIES, 'A batch without its numbers.'),
    Batch: objectOf(
      BATCH_PROPERTIES,
      'A batch with its numbers sorted into lists, each in request order.',
    ),
    BatchDetail: objectOf(
      { ...BATCH_PROPERTIES, numbers: { type: 'array', items: ref('BatchNumber') } },
      "A batch with each number's outcome and messages, in request order.",
    ),
    BatchNumber: objectOf({
      phone_number: { type: 'string', description: 'As sent.' },
      normalised: { type: 'string', description: 'With separators and a leading + or 00 dropped.' },
      outcome: { type: 'string', enum: ['success', 'invalid_format', 'error', 'pending'] },
      reason: {
        type: ['string', 'null'],
        pattern: ERROR_REASON,
        description:
          'Why an `error` number failed, with the gateway status code after `rejected:` or ' +
          '`retries_exhausted:`. `outcome_unknown`: no delivery receipt came for a send with an ' +
          'unknown outcome. Null for other outcomes.',
      },
      messages: { type: 'array', maxItems: 2, items: ref('MessageProgress') },
    }),
    MessageProgress: objectOf({
      step: STEP,
      status: SEND_STATUS,
      message_ids: stringList("The gateway's ids of the message's segments."),
      encoding: ENCODING,
      segments: { type: 'integer', minimum: 1 },
      attempts: { type: 'integer', minimum: 1 },
      uncertain_attempts: {
        type: 'integer',
        minimum: 0,
        description: 'Sends that may have reached the phone without a response from the gateway.',
      },
      error_code: {
        type: ['string', 'null'],
        description: 'Gateway status code of the last failure.',
      },
      error_text: { type: ['string', 'null'] },
      updated_at: timestamp('Time of the last change.'),
    }),
    BatchList: objectOf({
      batches: { type: 'array', items: ref('BatchSummary'), description: 'Newest first.' },
    }),
  };
}

function dryRunSchemas(): Record<string, JsonSchema> {
  const number = { phone_number: { type: 'string' }, normalised: { type: 'string' } };
  return {
    DryRunResult: objectOf({
      dry_run: { const: true },
      numbers: {
        type: 'array',
        description: 'One entry per number, in request order.',
        items: {
          oneOf: [ref('DryRunSend'), ref('DryRunInvalid'), ref('DryRunError')],
        },
      },
    }),
    DryRunSend: objectOf({
      ...number,
      outcome: { const: 'would_send' },
      language: {
        type: ['string', 'null'],
        description: "The worker's language; null for a number no worker of the project has.",
      },
      messages: { type: 'array', minItems: 2, maxItems: 2, items: ref('DryRunMessage') },
    }),
    DryRunInvalid: objectOf({
      ...number,
      outcome: { const: 'invalid_format' },
      reason: { const: 'invalid_format' },
    }),
    DryRunError: objectOf({
      ...number,
      outcome: { const: 'error' },
      reason: { type: 'string', enum: ['registered_to_another_project', 'opted_out'] },
    }),
    DryRunMessage: objectOf({
      step: STEP,
      text: { type: 'string' },
      encoding: ENCODING,
      segments: { type: 'integer', minimum: 1 },
    }),
  };
}

function smsLogSchemas(): Record<string, JsonSchema> {
  return {
    SmsLogPage: objectOf({
      entries: { type: 'array', items: ref('SmsLogEntry'), description: 'Newest first.' },
      next_before: {
        type: ['string', 'null'],
        description: 'Pass as `before` for the next page; null when this page is the last.',
      },
    }),
    SmsLogEntry: objectOf({
      id: {
        type: 'string',
        pattern: '^\\d+-\\d+$',
        description: 'Entry id, also a paging cursor.',
      },
      time: timestamp('When the attempt ended.'),
      batch_id: BATCH_ID,
      step: STEP,
      phone_number: { type: 'string', pattern: '^\\d+$', description: 'Normalised digits.' },
      status: SEND_STATUS,
      message_ids: stringList("The gateway's ids of the message's segments."),
      error_code: { type: ['string', 'null'] },
      attempt: { type: 'integer', minimum: 1 },
    }),
  };
}

function serviceSchemas(): Record<string, JsonSchema> {
  return {
    Error: objectOf({ error: { type: 'string', description: 'What failed and what to do next.' } }),
    FieldErrors: {
      type: 'object',
      minProperties: 1,
      additionalProperties: { type: 'string' },
      description:
        'One message per invalid field, keyed by the field, header or query parameter name ' +
        '(`body` for the body as a whole). A request that could not be read has the key `error`.',
      examples: [{ app_id: 'app_id is required' }],
    },
    Health: objectOf({ status: { const: 'ok' } }),
    Ready: objectOf({
      status: { const: 'ready' },
      redis: { const: 'ok' },
      workers: { type: 'integer', minimum: 1, description: 'Workers connected to the queue.' },
      gateway: { const: 'ok' },
    }),
    NotReady: objectOf({
      status: { const: 'not_ready' },
      redis: { type: 'string', description: '`ok`, or `unreachable: <reason>`.' },
      workers: { type: 'integer', minimum: 0 },
      gateway: {
        type: 'string',
        description:
          '`ok`, or the Vonage account fault (such as exhausted credit) that pauses sending.',
      },
    }),
  };
}

/** Builds every entry of `components.schemas`. */
export function openApiSchemas(limits: SchemaLimits): Record<string, JsonSchema> {
  return {
    ...requestSchemas(limits),
    ...resultSchemas(),
    ...dryRunSchemas(),
    ...smsLogSchemas(),
    ...serviceSchemas(),
  };
}
