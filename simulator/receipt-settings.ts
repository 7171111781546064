/**
 * Webhook settings of the gateway simulator: where and how it sends delivery receipts, and
 * where it sends inbound SMS. They are set with the faults, through `setFaults` or
 * `PUT /faults`, and reset with them.
 */
import {
  describeValue,
  InvalidFaultSettingsError,
  parseMilliseconds,
  parseNumberMap,
  parseShare,
} from './setting-validation.js';

/** Final delivery-receipt statuses of Vonage's SMS API that the simulator sends. */
export const FINAL_STATUSES = ['delivered', 'failed', 'expired', 'rejected'] as const;
export type FinalStatus = (typeof FINAL_STATUSES)[number];

/**
 * Order of one message's receipts: `accepted` then the final status (`in-order`), or a random
 * order in which the final status may come first (`shuffled`).
 */
export const RECEIPT_ORDERS = ['in-order', 'shuffled'] as const;
export type ReceiptOrder = (typeof RECEIPT_ORDERS)[number];

/** Delivery-receipt and inbound-SMS settings. The defaults send no webhooks. */
export interface WebhookSettings {
  /** URL that receives delivery receipts as JSON POSTs, or null to send none. */
  receiptUrl: string | null;
  /** Milliseconds before each receipt is sent. */
  receiptDelayMs: number;
  receiptOrder: ReceiptOrder;
  /** Share of receipts, from 0 to 1, that are sent twice. */
  receiptDuplicates: number;
  /** Destination digits mapped to their final status. Numbers not listed get `delivered`. */
  receiptStatus: Record<string, FinalStatus>;
  /** URL that `sendInbound` posts inbound SMS to, or null. */
  inboundUrl: string | null;
}

/** Creates webhook settings that send nothing. */
export function defaultWebhookSettings(): WebhookSettings {
  return {
    receiptUrl: null,
    receiptDelayMs: 50,
    receiptOrder: 'in-order',
    receiptDuplicates: 0,
    receiptStatus: {},
    inboundUrl: null,
  };
}

type WebhookParsers = { [K in keyof WebhookSettings]: (value: unknown) => WebhookSettings[K] };

/** Parsers of the webhook fields, merged into the fault settings' parsers. */
export const WEBHOOK_FIELD_PARSERS: WebhookParsers = {
  receiptUrl: (value) => parseWebhookUrl('receiptUrl', value),
  receiptDelayMs: (value) => parseMilliseconds('receiptDelayMs', value),
  receiptOrder: parseReceiptOrder,
  receiptDuplicates: (value) => parseShare('receiptDuplicates', value),
  receiptStatus: parseReceiptStatus,
  inboundUrl: (value) => parseWebhookUrl('inboundUrl', value),
};

function parseWebhookUrl(field: string, value: unknown): string | null {
  if (value === null) {
    return null;
  }
  if (typeof value === 'string' && URL.canParse(value)) {
    const url = new URL(value);
    if (url.protocol === 'http:' || url.protocol === 'https:') {
      return url.toString();
    }
  }
  throw new InvalidFaultSettingsError(field,
    `${field} must be an http or https URL such as "http://127.0.0.1:8000/webhooks", or null ` +
      `to send none; got ${describeValue(value)}`,
  );
}

function parseReceiptOrder(value: unknown): ReceiptOrder {
  if (typeof value === 'string' && (RECEIPT_ORDERS as readonly string[]).includes(value)) {
    return value as ReceiptOrder;
  }
  throw new InvalidFaultSettingsError('receiptOrder',
    `receiptOrder must be "in-order" or "shuffled"; got ${describeValue(value)}`,
  );
}

function parseReceiptStatus(value: unknown): Record<string, FinalStatus> {
  const entries = parseNumberMap('receiptStatus', value, 'a final status such as "failed"');
  const result: Record<string, FinalStatus> = {};
  for (const [digits, status, key] of entries) {
    if (typeof status !== 'string' || !(FINAL_STATUSES as readonly string[]).includes(status)) {
      throw new InvalidFaultSettingsError('receiptStatus',
        `receiptStatus["${key}"] must be one of ${FINAL_STATUSES.join(', ')}; ` +
          `got ${describeValue(status)}`,
      );
    }
    result[digits] = status as FinalStatus;
  }
  return result;
}
