/**
 * Path items and schemas of the Vonage webhooks in api/webhooks.route.ts:
 * delivery receipts and inbound SMS. Vonage is the only intended caller.
 * The routes accept any method, and the document lists the GET and POST
 * that Vonage sends.
 */
import type { JsonSchema } from './openapi-schemas.js';

const schemaRef = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const responseRef = (name: string) => ({ $ref: `#/components/responses/${name}` });

const FIELD = { type: ['string', 'number'] };

/**
 * Builds the GET parameter that takes the fields: one exploded query object, because
 * Vonage sends each field as its own query parameter, including fields the service ignores.
 */
function fieldsAsQuery(schemaName: string) {
  return {
    name: 'fields',
    in: 'query',
    style: 'form',
    explode: true,
    schema: schemaRef(schemaName),
  };
}

/** Builds the GET and POST operations of one webhook, which take the same fields. */
function webhookOperation(
  operationId: string,
  schemaName: string,
  summary: string,
  description: string,
) {
  const common = {
    tags: ['Webhooks'],
    summary,
    description,
    security: [{ WebhookSecret: [] }],
    responses: {
      204: {
        description:
          'Received, even when the service cannot use the fields, so that Vonage does not retry.',
      },
      400: responseRef('BadRequest'),
      401: {
        description: 'The `secret` query parameter is missing or wrong.',
        content: { 'application/json': { schema: schemaRef('Error') } },
      },
      404: {
        description: 'WEBHOOK_SECRET is unset, so the webhooks are off.',
        content: { 'application/json': { schema: schemaRef('Error') } },
      },
      413: {
        description: 'The body is over 16 KiB.',
        content: { 'application/json': { schema: schemaRef('Error') } },
      },
      415: responseRef('UnsupportedMediaType'),
      500: responseRef('InternalError'),
      503: responseRef('ServiceUnavailable'),
    },
  };
  const form = { schema: schemaRef(schemaName) };
  return {
    get: {
      ...common,
      operationId: `${operationId}ByQuery`,
      parameters: [fieldsAsQuery(schemaName)],
    },
    post: {
      ...common,
      operationId,
      requestBody: {
        required: false,
        content: { 'application/json': form, 'application/x-www-form-urlencoded': form },
      },
    },
  };
}

/** Builds the `paths` entries of the webhooks. */
export function webhookPaths(): Record<string, unknown> {
  return {
    '/webhooks/vonage/delivery-receipt': webhookOperation(
      'receiveDeliveryReceipt',
      'DeliveryReceiptFields',
      'Vonage delivery receipt',
      'Records the receipt against the message named by `client-ref`; a receipt settles a ' +
        'send whose outcome was unknown. A later receipt never replaces a final status ' +
        '(delivered, expired, failed, rejected).',
    ),
    '/webhooks/vonage/inbound': webhookOperation(
      'receiveInboundSms',
      'InboundSmsFields',
      'Vonage inbound SMS',
      'A STOP keyword (STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT) opts the sender out of ' +
        'the project whose worker has the number and of the project that last sent to it. ' +
        'Other messages are ignored.',
    ),
  };
}

/** Builds the `components.schemas` entries of the webhooks. */
export function webhookSchemas(): Record<string, JsonSchema> {
  return {
    DeliveryReceiptFields: {
      type: 'object',
      description:
        "Vonage's delivery-receipt fields; the service reads these and ignores the others.",
      properties: {
        messageId: FIELD,
        status: { ...FIELD, examples: ['delivered'] },
        'client-ref': {
          ...FIELD,
          description: '`<batch id>:<user index>:<step>`, as the service set it on the send.',
        },
        'err-code': FIELD,
      },
    },
    InboundSmsFields: {
      type: 'object',
      description: "Vonage's inbound-SMS fields; the service reads these and ignores the others.",
      properties: {
        msisdn: { ...FIELD, description: "The sender's number." },
        keyword: {
          ...FIELD,
          description: "Vonage's first word of the text; the first word of `text` when absent.",
        },
        text: FIELD,
      },
    },
  };
}
