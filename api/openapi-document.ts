/**
 * The OpenAPI 3.1 document served at /openapi.json, built from the running
 * configuration so that the limits it states are the ones in force.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { openApiComponents } from './openapi-components.js';
import { reinstallPaths } from './openapi-reinstall-paths.js';
import { openApiSchemas } from './openapi-schemas.js';
import { webhookPaths, webhookSchemas } from './openapi-webhook-paths.js';
import type { ReinstallDeps } from './reinstall-deps.js';

export const OPENAPI_PATH = '/openapi.json';
export const DOCS_PATH = '/docs';

/**
 * Extension on a path item whose route also serves paths below it. Its
 * `responses` are the service's own responses there. 2xx responses below it come
 * from a bundled package (Swagger UI's files, Bull Board) and are not described.
 */
export const SUBPATHS_EXTENSION = 'x-subpaths';

export interface DocumentSettings {
  maxUsersPerRequest: number;
  maxReinstallMessageLength: number;
  maxBodyBytes: number;
  maxPollWaitSeconds: number;
  apiRatePerMinute: number;
}

/** Collects the settings the document states from the reinstall routes' dependencies. */
export function documentSettings(deps: ReinstallDeps, apiRatePerMinute: number): DocumentSettings {
  return {
    maxUsersPerRequest: deps.limits.maxUsers,
    maxReinstallMessageLength: deps.limits.maxReinstallMessageLength,
    maxBodyBytes: deps.maxBodyBytes,
    maxPollWaitSeconds: deps.maxPollWaitSeconds,
    apiRatePerMinute,
  };
}

const DESCRIPTION = `Re-sends the CommCare install SMS to mobile workers who are already \
registered. The reinstall endpoint accepts and returns the same JSON as CommCare HQ's \
\`sms_user_registration_reinstall\`. Batches, dry runs, idempotency keys and the SMS log are \
additions of this service.

Errors are JSON objects: \`{"error": "..."}\`, except 400, which maps each invalid field to its \
message. Responses carry an \`X-Request-Id\` header: the request's own when it is 1-64 \
letters, digits, \`.\`, \`_\` or \`-\`, else a new UUID. A trailing slash on a path is \
optional. Other paths and methods return 404 with an error object, except that under /admin the \
operator credentials are checked first. A request that is not valid HTTP/1.1 gets 400, and one \
with oversized headers 431, each with an error object and no request id.`;

const TAGS = [
  { name: 'Reinstall', description: 'Send the install SMS.' },
  { name: 'Batches', description: 'Follow a submission that returned 202, or review past ones.' },
  { name: 'SMS log', description: 'Every attempt to send a message.' },
  { name: 'Phones', description: 'What phones fetch after reading the install SMS.' },
  { name: 'Operations', description: 'Probes and metrics for the platform running the service.' },
  { name: 'Webhooks', description: 'Called by Vonage, not by API clients.' },
  { name: 'Operators', description: 'The queue dashboard.' },
  { name: 'Documentation', description: 'This document and its browsable page.' },
];

const json = (schema: Record<string, unknown>) => ({ 'application/json': { schema } });
const schemaRef = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const responseRef = (name: string) => ({ $ref: `#/components/responses/${name}` });

function unauthenticated(operation: Record<string, unknown>) {
  return { get: { ...operation, security: [] } };
}

function operationsPaths(): Record<string, unknown> {
  return {
    '/healthz': unauthenticated({
      operationId: 'getHealth',
      tags: ['Operations'],
      summary: 'Liveness: the process is running',
      responses: {
        200: { description: 'Always, while the process runs.', content: json(schemaRef('Health')) },
      },
    }),
    '/readyz': unauthenticated({
      operationId: 'getReadiness',
      tags: ['Operations'],
      summary: 'Readiness: Redis responds, a worker is connected and sending is not paused',
      description: 'Each probe of Redis times out after one second.',
      responses: {
        200: { description: 'Ready to accept requests.', content: json(schemaRef('Ready')) },
        503: {
          description:
            'Redis is unreachable, no worker is connected, or a gateway account fault pauses ' +
            'sending.',
          content: json(schemaRef('NotReady')),
        },
      },
    }),
    '/metrics': unauthenticated({
      operationId: 'getMetrics',
      tags: ['Operations'],
      summary: 'Prometheus metrics',
      description:
        "Metrics of this API process, with the queue's and the workers' totals read from Redis.",
      responses: {
        200: {
          description: 'Prometheus text exposition format 0.0.4.',
          content: { 'text/plain': { schema: { type: 'string' } } },
        },
        500: responseRef('InternalError'),
        503: responseRef('ServiceUnavailable'),
      },
    }),
  };
}

function documentationPaths(): Record<string, unknown> {
  return {
    [OPENAPI_PATH]: unauthenticated({
      operationId: 'getOpenApiDocument',
      tags: ['Documentation'],
      summary: 'This OpenAPI 3.1 document',
      responses: {
        200: {
          description: 'The document, with the limits of the running configuration.',
          content: json({
            type: 'object',
            required: ['openapi', 'info', 'paths', 'components'],
            properties: {
              openapi: { const: '3.1.0' },
              info: {
                type: 'object',
                required: ['title', 'version'],
                properties: { title: { type: 'string' }, version: { type: 'string' } },
              },
              paths: { type: 'object' },
              components: { type: 'object' },
            },
          }),
        },
      },
    }),
    [DOCS_PATH]: {
      [SUBPATHS_EXTENSION]: {
        description:
          "The page's script that starts Swagger UI, and Swagger UI's script, style sheet and " +
          'icons from the swagger-ui-dist package.',
        responses: { 404: responseRef('NotFound') },
      },
      ...unauthenticated({
        operationId: 'getDocsPage',
        tags: ['Documentation'],
        summary: 'This document in Swagger UI',
        description: 'Needs no internet access: the page and its assets are served from here.',
        responses: {
          200: {
            description: 'The page.',
            content: { 'text/html': { schema: { type: 'string' } } },
          },
        },
      }),
    },
  };
}

function operatorPaths(): Record<string, unknown> {
  return {
    '/admin/queues': {
      [SUBPATHS_EXTENSION]: {
        description:
          "Bull Board's JSON API and static files, for any method, behind the same operator " +
          'credentials. Their formats are those of Bull Board.',
        responses: {
          401: responseRef('OperatorUnauthorized'),
          403: {
            description:
              'The board rejects editing job data and adding jobs, since it shows masked numbers.',
            content: json({ type: 'object' }),
          },
          404: responseRef('OperatorDisabled'),
        },
      },
      get: {
        operationId: 'getQueueDashboard',
        tags: ['Operators'],
        summary: 'Queue dashboard (Bull Board)',
        description:
          'Job counts and jobs of the reinstall queue, with phone numbers masked to their last ' +
          'four digits; operators can retry failed jobs here. For operators, not API clients.',
        security: [{ OperatorBasic: [] }],
        responses: {
          200: {
            description: 'The dashboard page.',
            content: { 'text/html': { schema: { type: 'string' } } },
          },
          401: responseRef('OperatorUnauthorized'),
          404: responseRef('OperatorDisabled'),
        },
      },
    },
  };
}

/**
 * Reads the service version, which is the document's version, from the
 * nearest package.json above this module. That file is one folder up from
 * the sources and two folders up from the compiled build in dist/.
 */
function serviceVersion(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (existsSync(file)) return String(JSON.parse(readFileSync(file, 'utf8')).version);
    if (path.dirname(dir) === dir) {
      throw new Error(`package.json not found in ${__dirname} or any folder above it`);
    }
  }
}

/** Builds the whole document for the given limits. */
export function buildOpenApiDocument(settings: DocumentSettings) {
  return {
    openapi: '3.1.0',
    info: {
      title: 'CommCare reinstall SMS service',
      version: serviceVersion(),
      summary: "CommCare HQ's sms_user_registration_reinstall API, with batch tracking",
      description: DESCRIPTION,
      license: { name: 'MIT', identifier: 'MIT' },
    },
    tags: TAGS,
    security: [{ ApiKey: [] }, { Basic: [] }],
    paths: {
      ...reinstallPaths(),
      ...operationsPaths(),
      ...webhookPaths(),
      ...documentationPaths(),
      ...operatorPaths(),
    },
    components: {
      schemas: { ...openApiSchemas(settings), ...webhookSchemas() },
      ...openApiComponents(settings),
    },
  };
}
