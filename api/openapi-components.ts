/**
 * Reusable parts of the OpenAPI document: parameters, response headers,
 * error responses and security schemes. The error responses follow
 * api/error-handler.ts and api/http-error.ts: `{"error": ...}` for every
 * status but 400, which lists one message per field.
 */
import type { JsonSchema } from './openapi-schemas.js';

/** Limits from the running configuration that parameters and responses state. */
export interface ComponentLimits {
  maxPollWaitSeconds: number;
  maxBodyBytes: number;
  /** Requests one API key may make to the project API in any 60 seconds. */
  apiRatePerMinute: number;
}

const schemaRef = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const headerRef = (name: string) => ({ $ref: `#/components/headers/${name}` });

const FLAG = { type: 'string', enum: ['true', 'false', '1', '0'], default: 'false' };

function jsonContent(schema: JsonSchema) {
  return { 'application/json': { schema } };
}

function errorResponse(description: string, headers?: Record<string, unknown>) {
  return { description, ...(headers ? { headers } : {}), content: jsonContent(schemaRef('Error')) };
}

function parameters(limits: ComponentLimits): Record<string, JsonSchema> {
  return {
    Wait: {
      name: 'wait',
      in: 'query',
      description:
        'Seconds to wait for a pending batch to settle before responding, at most ' +
        `${limits.maxPollWaitSeconds} (MAX_POLL_WAIT_SECONDS); a larger value is a 400.`,
      schema: { type: 'integer', minimum: 0, maximum: limits.maxPollWaitSeconds, default: 0 },
    },
    Detail: {
      name: 'detail',
      in: 'query',
      description: "Add each number's outcome and its messages' progress (`numbers`).",
      schema: FLAG,
    },
  };
}

function headers(): Record<string, JsonSchema> {
  return {
    RetryAfter: {
      description: 'Seconds to wait before retrying.',
      required: true,
      schema: { type: 'string', pattern: '^\\d+$' },
    },
    Location: {
      description: 'Path at which to poll the batch.',
      required: true,
      schema: {
        type: 'string',
        pattern: '^/a/[^/]+/api/[^/]+/sms_user_registration_reinstall/batches/[0-9a-f]{24}/$',
      },
    },
    IdempotentReplayed: {
      description:
        'Present when the response is that of an earlier request with the same Idempotency-Key.',
      schema: { const: 'true' },
    },
    ApiChallenge: {
      description: 'The schemes the API accepts.',
      required: true,
      schema: { const: 'ApiKey realm="commcare", Basic realm="commcare"' },
    },
    OperatorChallenge: {
      description: 'HTTP Basic for the operator credentials.',
      required: true,
      schema: { const: 'Basic realm="operators"' },
    },
  };
}

function responses(limits: ComponentLimits): Record<string, JsonSchema> {
  return {
    BadRequest: {
      description:
        'A field, header or query parameter is invalid, or the request could not be read.',
      content: jsonContent(schemaRef('FieldErrors')),
    },
    Unauthorized: errorResponse(
      'Credentials missing or wrong, or the project is on a plan below PRO (CommCare HQ ' +
        'also returns 401 then).',
      { 'WWW-Authenticate': headerRef('ApiChallenge') },
    ),
    Forbidden: errorResponse(
      'The API key is not valid for the project or lacks the edit-data permission, or the ' +
        'project has SMS Mobile Worker Registration turned off.',
    ),
    NotFound: errorResponse('No such project, API version, batch or app, or no such route.'),
    PayloadTooLarge: errorResponse(
      `The body is over ${limits.maxBodyBytes} bytes, or lists more users than the maximum.`,
    ),
    UnsupportedMediaType: errorResponse(
      'The Content-Type names a charset other than UTF-8, or the service cannot decode the ' +
        'Content-Encoding.',
    ),
    TooManyRequests: errorResponse(
      `The API key made ${limits.apiRatePerMinute} requests in the last 60 seconds ` +
        '(API_RATE_PER_MINUTE); requests that fail authentication do not count.',
      { 'Retry-After': headerRef('RetryAfter') },
    ),
    ServiceUnavailable: errorResponse('The service cannot reach Redis, its data store.', {
      'Retry-After': headerRef('RetryAfter'),
    }),
    InternalError: errorResponse('An unexpected fault; the service logged it.'),
    OperatorUnauthorized: errorResponse('Operator credentials missing or wrong.', {
      'WWW-Authenticate': headerRef('OperatorChallenge'),
    }),
    OperatorDisabled: errorResponse('OPERATOR_PASSWORD is unset, so the dashboard is off.'),
  };
}

const securitySchemes = {
  ApiKey: {
    type: 'apiKey',
    in: 'header',
    name: 'Authorization',
    description: 'The header value is `ApiKey <username>:<key>`.',
  },
  Basic: {
    type: 'http',
    scheme: 'basic',
    description: 'HTTP Basic with the API username and key as user and password.',
  },
  WebhookSecret: {
    type: 'apiKey',
    in: 'query',
    name: 'secret',
    description: 'WEBHOOK_SECRET, in the webhook URLs configured at Vonage.',
  },
  OperatorBasic: {
    type: 'http',
    scheme: 'basic',
    description: 'HTTP Basic with OPERATOR_USER and OPERATOR_PASSWORD, separate from API keys.',
  },
};

/** Builds `components` except `schemas`. */
export function openApiComponents(limits: ComponentLimits) {
  return {
    parameters: parameters(limits),
    headers: headers(),
    responses: responses(limits),
    securitySchemes,
  };
}
