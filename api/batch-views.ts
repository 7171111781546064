import { batchLists, type Batch, type BatchSummary, type Outcome } from '../shared/batch-store.js';
import { normaliseNumber } from '../shared/phone-number.js';
import type { MessageRecord } from '../shared/reinstall-job.js';

function summaryFields(batch: BatchSummary) {
  return {
    batch_id: batch.id,
    status: batch.state,
    app_id: batch.appId,
    created_at: batch.createdAt,
    settled_at: batch.settledAt ?? null,
    counts: {
      total: batch.counts.total,
      success: batch.counts.success,
      invalid_format: batch.counts.invalid,
      error: batch.counts.error,
      pending: batch.counts.pending,
    },
  };
}

/** A batch as listed: its state and counts, without numbers. */
export function batchSummaryView(batch: BatchSummary) {
  return summaryFields(batch);
}

/** A batch as polled: state, counts, the three lists and the numbers still pending. */
export function batchView(batch: Batch) {
  return { ...summaryFields(batch), ...batchLists(batch) };
}

/** Per number: its outcome and, for each message sent, what the gateway did with it. */
export function batchDetailView(batch: Batch, messages: Map<string, MessageRecord>) {
  const numbers = batch.numbers.map((sent, index) => {
    const outcome = batch.outcomes[index];
    const sentMessages = [0, 1].flatMap((step) => {
      const record = messages.get(`${index}:${step}`);
      return record ? [messageView(step, record)] : [];
    });
    return {
      phone_number: sent,
      normalised: normaliseNumber(sent),
      outcome: outcomeName(outcome),
      reason: outcome?.kind === 'error' ? outcome.reason : null,
      messages: sentMessages,
    };
  });
  return { ...batchView(batch), numbers };
}

function outcomeName(outcome: Outcome | null): string {
  if (!outcome) return 'pending';
  return outcome.kind === 'invalid' ? 'invalid_format' : outcome.kind;
}

function messageView(step: number, record: MessageRecord) {
  return {
    step: step + 1,
    status: record.status,
    message_ids: record.messageIds,
    encoding: record.encoding,
    segments: record.segments,
    attempts: record.attempts,
    uncertain_attempts: record.uncertainAttempts,
    error_code: record.errorCode ?? null,
    error_text: record.errorText ?? null,
    updated_at: record.updatedAt,
  };
}
