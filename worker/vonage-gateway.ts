import { Auth } from '@vonage/auth';
import { Vonage } from '@vonage/server-sdk';
import { SMSFailure, TypeEnum } from '@vonage/sms';
import { VetchError } from '@vonage/vetch';
import {
  GatewayRejectedError,
  GatewayUnavailableError,
  type AcceptedSms,
  type OutgoingSms,
  type SmsGateway,
} from './sms-gateway.js';

export interface VonageGatewayOptions {
  apiKey: string;
  apiSecret: string;
  /** REST base URL; Vonage's own when unset. */
  restHost?: string;
  timeoutMs: number;
}

/** The SMS gateway through Vonage's SMS API (`@vonage/server-sdk`). */
export class VonageGateway implements SmsGateway {
  private readonly vonage: Vonage;

  constructor(options: VonageGatewayOptions) {
    const auth = new Auth({ apiKey: options.apiKey, apiSecret: options.apiSecret });
    // The SDK has no default timeout: without one a hung gateway hangs the job.
    this.vonage = new Vonage(auth, {
      timeout: options.timeoutMs,
      ...(options.restHost ? { restHost: options.restHost } : {}),
    });
  }

  async send(sms: OutgoingSms): Promise<AcceptedSms> {
    try {
      const answer = await this.vonage.sms.send({
        to: sms.to,
        from: sms.from,
        text: sms.text,
        type: sms.encoding === 'unicode' ? TypeEnum.UNICODE : TypeEnum.TEXT,
        clientRef: sms.clientRef,
      });
      return { messageIds: answer.messages.map((message) => String(message.messageId)) };
    } catch (error) {
      throw translateError(error);
    }
  }
}

function translateError(error: unknown): Error {
  if (error instanceof SMSFailure) {
    // The SDK picks PartialFailure or AllFailure unreliably for one message,
    // so the statuses are read from the response itself.
    const failed = error.getFailedMessages()[0] as { status: string; errorText?: string };
    return new GatewayRejectedError(String(failed?.status ?? 'unknown'), failed?.errorText ?? '');
  }
  if (error instanceof VetchError) {
    const status = error.response?.status ?? 0;
    if (status === 429 || status >= 500 || status === 0) {
      return new GatewayUnavailableError(`gateway returned HTTP ${status}`, false, status);
    }
    return new GatewayRejectedError(`http-${status}`, `gateway returned HTTP ${status}`);
  }
  if (error instanceof Error && error.name === 'AbortError') {
    return new GatewayUnavailableError('gateway request timed out', true);
  }
  const reason = error instanceof Error ? error.message : String(error);
  return new GatewayUnavailableError(`gateway unreachable: ${reason}`, false);
}
