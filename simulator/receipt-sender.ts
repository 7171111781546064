/**
 * Sends the delivery receipts of accepted messages to `receiptUrl`: for each segment an
 * `accepted` receipt and a final one, in order or shuffled, some of them twice.
 */
import type { Logger } from 'pino';

import { maskNumber } from '../shared/logger.js';
import {
  deliveryReceipt,
  type ReceiptStatus,
  type ReceiptSubject,
} from './delivery-receipt.js';
import type { WebhookSettings } from './receipt-settings.js';
import type { WebhookPoster } from './webhook-poster.js';

/** Sender of delivery receipts through a {@link WebhookPoster}. */
export class ReceiptSender {
  constructor(
    private readonly poster: WebhookPoster,
    private readonly apiKey: string,
    private readonly random: () => number,
    private readonly logger: Logger,
  ) {}

  /**
   * Starts sending the receipts of `segments` in the background, with the settings as they are
   * now, so later changes do not affect them. Does nothing while `receiptUrl` is null.
   */
  send(segments: ReceiptSubject[], settings: WebhookSettings): void {
    const url = settings.receiptUrl;
    if (url === null) {
      return;
    }
    for (const segment of segments) {
      const statuses = this.plan(segment, settings);
      this.poster.track((signal) => this.sendInTurn(url, segment, statuses, settings, signal));
    }
  }

  /** Lists the statuses to send for one segment, duplicates included, in sending order. */
  private plan(segment: ReceiptSubject, settings: WebhookSettings): ReceiptStatus[] {
    const finalStatus = settings.receiptStatus[segment.to] ?? 'delivered';
    const statuses: ReceiptStatus[] = [];
    for (const status of ['accepted', finalStatus] as const) {
      statuses.push(status);
      if (settings.receiptDuplicates > 0 && this.random() < settings.receiptDuplicates) {
        statuses.push(status);
      }
    }
    return settings.receiptOrder === 'shuffled' ? this.shuffle(statuses) : statuses;
  }

  // Each receipt waits for the previous one, retries included, so they arrive in list order.
  private async sendInTurn(
    url: string,
    segment: ReceiptSubject,
    statuses: ReceiptStatus[],
    settings: WebhookSettings,
    signal: AbortSignal,
  ): Promise<void> {
    for (const status of statuses) {
      await this.poster.wait(settings.receiptDelayMs, signal);
      const receipt = deliveryReceipt(segment, status, this.apiKey, new Date());
      const label = { kind: 'delivery receipt', messageId: segment.messageId } as const;
      const delivered = await this.poster.post(url, receipt, label, signal);
      this.logger.debug(
        { to: maskNumber(segment.to), messageId: segment.messageId, status, delivered },
        'sent a delivery receipt',
      );
    }
  }

  // Fisher-Yates shuffle driven by the simulator's random source, so tests can fix the order.
  private shuffle(statuses: ReceiptStatus[]): ReceiptStatus[] {
    const shuffled = [...statuses];
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = Math.floor(this.random() * (i + 1));
      [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
    }
    return shuffled;
  }
}
