import type { SmsType } from './sms-request.js';

/** Message the simulator accepted, stored once however many segments it needed. */
export interface InboxMessage {
  from: string;
  /** Destination reduced to digits. */
  to: string;
  text: string;
  type: SmsType;
  clientRef: string | null;
  /** `message-id` of the first segment in the response. */
  messageId: string;
  /** ISO 8601 time the simulator accepted the message. */
  receivedAt: string;
}

/** Accepted messages grouped by destination digits, each group oldest first. */
export class SmsInbox {
  private readonly messagesByNumber = new Map<string, InboxMessage[]>();

  /** Appends a message to the inbox of its destination. */
  add(message: InboxMessage): void {
    const messages = this.messagesByNumber.get(message.to) ?? [];
    messages.push(message);
    this.messagesByNumber.set(message.to, messages);
  }

  /** Returns copies of the messages sent to `digits`, oldest first. */
  messagesFor(digits: string): InboxMessage[] {
    return (this.messagesByNumber.get(digits) ?? []).map((message) => ({ ...message }));
  }

  /** Returns copies of all inboxes keyed by destination digits. */
  all(): Record<string, InboxMessage[]> {
    const inboxes: Record<string, InboxMessage[]> = {};
    for (const digits of this.messagesByNumber.keys()) {
      inboxes[digits] = this.messagesFor(digits);
    }
    return inboxes;
  }

  /** Removes every message. */
  clear(): void {
    this.messagesByNumber.clear();
  }
}
