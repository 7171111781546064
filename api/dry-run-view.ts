import { normaliseNumber } from '../shared/phone-number.js';
import { countSegments } from '../shared/sms-encoding.js';
import type { ReinstallPlan } from './plan-reinstall.js';

/** The answer to a dry run: per number, what would happen and the messages it would get. */
export function dryRunView(plan: ReinstallPlan) {
  const byIndex = new Map(plan.deliveries.map((delivery) => [delivery.index, delivery]));
  const numbers = plan.numbers.map((sent, index) => {
    const delivery = byIndex.get(index);
    const decided = plan.decided.get(index);
    const base = { phone_number: sent, normalised: normaliseNumber(sent) };
    if (!delivery) {
      const outcome = decided?.kind === 'invalid' ? 'invalid_format' : 'error';
      return { ...base, outcome, reason: decided?.kind === 'error' ? decided.reason : 'invalid_format' };
    }
    const messages = delivery.messages.map((message, step) => ({
      step: step + 1,
      text: message.text,
      encoding: message.encoding,
      segments: countSegments(message.text, message.encoding),
    }));
    return { ...base, outcome: 'would_send', language: delivery.language ?? null, messages };
  });
  return { dry_run: true, numbers };
}
