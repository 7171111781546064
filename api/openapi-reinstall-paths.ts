/**
 * Path items of the project API: the reinstall submission, batch reads,
 * the SMS log and the app-info endpoint that phones fetch. Each lists every
 * status its route in api/ can return.
 */
import type { JsonSchema } from './openapi-schemas.js';

export const REINSTALL_TEMPLATE = '/a/{domain}/api/{version}/sms_user_registration_reinstall/';

const schemaRef = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const responseRef = (name: string) => ({ $ref: `#/components/responses/${name}` });
const parameterRef = (name: string) => ({ $ref: `#/components/parameters/${name}` });
const headerRef = (name: string) => ({ $ref: `#/components/headers/${name}` });

/** Mirrors `isSupportedVersion`, which also requires v0_5 or later. */
const VERSION_PATTERN = '^v(0|[1-9]\\d{0,3})(_(0|[1-9]\\d{0,3}))?$';

// Path-level parameters are written out, not $ref'd: Swagger UI 5.35 shows a path item's
// $ref'd parameters as nameless entries.
const DOMAIN = {
  name: 'domain',
  in: 'path',
  required: true,
  description: 'Project name.',
  schema: { type: 'string', minLength: 1 },
};

const VERSION = {
  name: 'version',
  in: 'path',
  required: true,
  description: 'API version: `v0_5` or later (`v0_6`, `v1`, `v1_2`, ...); earlier ones return 404.',
  schema: { type: 'string', pattern: VERSION_PATTERN, examples: ['v0_5'] },
};

const BATCH_ID = {
  name: 'batch_id',
  in: 'path',
  required: true,
  description: 'Batch id from a 202 response or the batch list.',
  schema: { type: 'string', pattern: '^[0-9a-f]{24}$' },
};

const PROJECT_PARAMETERS = [DOMAIN, VERSION];

/** Responses that every authenticated project route can return besides its own. */
const PROJECT_ERRORS = {
  400: responseRef('BadRequest'),
  401: responseRef('Unauthorized'),
  403: responseRef('Forbidden'),
  404: responseRef('NotFound'),
  429: responseRef('TooManyRequests'),
  500: responseRef('InternalError'),
  503: responseRef('ServiceUnavailable'),
};

function json(schema: JsonSchema) {
  return { 'application/json': { schema } };
}

/**
 * Builds a `limit` query parameter. The callers pass copies of the default and maximum in
 * api/batch.route.ts and api/sms-log.route.ts, which those files keep private.
 */
function limitParameter(fallback: number, maximum: number, what: string) {
  return {
    name: 'limit',
    in: 'query',
    description: `Maximum number of ${what} to return.`,
    schema: { type: 'integer', minimum: 1, maximum, default: fallback },
  };
}

const submissionParameters = [
  {
    name: 'dry_run',
    in: 'query',
    description: 'Check the request and show what each number would be sent, without sending.',
    schema: { type: 'string', enum: ['true', 'false', '1', '0'], default: 'false' },
  },
  {
    name: 'Prefer',
    in: 'header',
    description:
      'With the token `respond-async`, the service returns 202 at once instead of waiting.',
    schema: { type: 'string', examples: ['respond-async'] },
  },
  {
    name: 'Idempotency-Key',
    in: 'header',
    description:
      "A retry with the same key and body gets the first request's batch instead of a new " +
      'one; the same key with another body is a 422.',
    schema: {
      type: 'string',
      pattern: '^[\\x21-\\x7e]{1,255}$',
      examples: ['3f1c9a1e-1d5b-4b8e-9a43-2f7d0c6e5b10'],
    },
  },
];

const submissionResponses = {
  200: {
    description:
      'Every number settled: the three lists. With `dry_run`: what each number would be sent.',
    headers: { 'Idempotent-Replayed': headerRef('IdempotentReplayed') },
    content: json({ oneOf: [schemaRef('ReinstallResult'), schemaRef('DryRunResult')] }),
  },
  202: {
    description:
      'Numbers still sending after SYNC_WAIT_MS, or `Prefer: respond-async` was sent: the batch ' +
      'so far, with status `pending`. Poll the Location for the rest.',
    headers: {
      Location: headerRef('Location'),
      'Idempotent-Replayed': headerRef('IdempotentReplayed'),
    },
    content: json({
      allOf: [schemaRef('Batch'), { type: 'object', properties: { status: { const: 'pending' } } }],
    }),
  },
  ...PROJECT_ERRORS,
  409: {
    description: 'A request with this Idempotency-Key is still being accepted.',
    headers: { 'Retry-After': headerRef('RetryAfter') },
    content: json(schemaRef('Error')),
  },
  413: responseRef('PayloadTooLarge'),
  415: responseRef('UnsupportedMediaType'),
  422: {
    description: 'This Idempotency-Key was used with a different body.',
    content: json(schemaRef('Error')),
  },
};

const submission = {
  parameters: PROJECT_PARAMETERS,
  post: {
    operationId: 'reinstallApp',
    tags: ['Reinstall'],
    summary: 'Re-send the install SMS to mobile workers',
    description:
      'Each valid number gets two SMS: the Play Store link, then the install message that the ' +
      "CommCare app reads on first start. Numbers of another project's workers and opted-out " +
      'numbers are never messaged.',
    parameters: submissionParameters,
    requestBody: {
      required: true,
      description: 'Parsed as JSON whatever the Content-Type header names.',
      content: json(schemaRef('ReinstallRequest')),
    },
    responses: submissionResponses,
  },
};

const batchList = {
  parameters: PROJECT_PARAMETERS,
  get: {
    operationId: 'listBatches',
    tags: ['Batches'],
    summary: "List the project's recent batches",
    parameters: [limitParameter(50, 500, 'batches')],
    responses: {
      200: { description: 'Newest first, without numbers.', content: json(schemaRef('BatchList')) },
      ...PROJECT_ERRORS,
    },
  },
};

const batch = {
  parameters: [...PROJECT_PARAMETERS, BATCH_ID],
  get: {
    operationId: 'getBatch',
    tags: ['Batches'],
    summary: 'Read one batch',
    description: 'The Location of a 202 response. A batch of another project is a 404.',
    parameters: [parameterRef('Wait'), parameterRef('Detail')],
    responses: {
      200: {
        description: "The batch; with `detail`, also each number's outcome and messages.",
        content: json({ oneOf: [schemaRef('Batch'), schemaRef('BatchDetail')] }),
      },
      ...PROJECT_ERRORS,
    },
  },
};

const smsLog = {
  parameters: PROJECT_PARAMETERS,
  get: {
    operationId: 'listSmsLog',
    tags: ['SMS log'],
    summary: "List the project's send attempts",
    description: 'One entry per attempt to send one message, newest first.',
    parameters: [
      {
        name: 'batch_id',
        in: 'query',
        description: 'Only this batch.',
        schema: { type: 'string', minLength: 1 },
      },
      {
        name: 'phone_number',
        in: 'query',
        description: 'Only this number, in any form the submission accepts.',
        schema: { type: 'string', minLength: 1 },
      },
      limitParameter(100, 1000, 'entries'),
      {
        name: 'before',
        in: 'query',
        description: 'Only entries older than this entry id: `next_before` of the previous page.',
        schema: { type: 'string', pattern: '^\\d{1,15}-\\d{1,10}$' },
      },
    ],
    responses: {
      200: { description: 'One page of entries.', content: json(schemaRef('SmsLogPage')) },
      ...PROJECT_ERRORS,
    },
  },
};

const appInfo = {
  parameters: [
    DOMAIN,
    { name: 'app_id', in: 'path', required: true, schema: { type: 'string', minLength: 1 } },
  ],
  get: {
    operationId: 'getAppInfo',
    tags: ['Phones'],
    summary: 'Signed install payload for one app',
    description:
      'The URL in the install SMS. Phones fetch it before anyone logs in, so it needs no ' +
      'credentials.',
    security: [],
    responses: {
      200: {
        description:
          'Base64 of `ccapp: <profile url> signature: <signature>`, on one line. The raw ' +
          'signature is RSASSA-PSS over the URL (SHA-256, MGF1-SHA-256, 32-byte salt).',
        content: { 'text/plain': { schema: { type: 'string', contentEncoding: 'base64' } } },
      },
      400: responseRef('BadRequest'),
      404: responseRef('NotFound'),
      500: responseRef('InternalError'),
      503: responseRef('ServiceUnavailable'),
    },
  },
};

/** Builds the `paths` entries of the project API. */
export function reinstallPaths(): Record<string, unknown> {
  return {
    [REINSTALL_TEMPLATE]: submission,
    [`${REINSTALL_TEMPLATE}batches/`]: batchList,
    [`${REINSTALL_TEMPLATE}batches/{batch_id}/`]: batch,
    [`${REINSTALL_TEMPLATE}sms_log/`]: smsLog,
    '/a/{domain}/sms/app_info/{app_id}/': appInfo,
  };
}
