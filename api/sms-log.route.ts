import type { RequestHandler, Router } from 'express';
import { checkNumber } from '../shared/phone-number.js';
import type { SmsLog, SmsLogEntry } from '../shared/sms-log.js';
import type { AuthenticatedLocals } from './authenticate.js';
import { HttpError } from './http-error.js';
import { readInteger } from './query-params.js';
import { REINSTALL_PATH } from './reinstall.route.js';

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;
const STREAM_ID = /^\d{1,15}-\d{1,10}$/;

/**
 * Adds `GET .../sms_log/`: a project's send attempts, newest first,
 * optionally only those of one batch (`batch_id`) or one number (`phone_number`).
 */
export function registerSmsLogRoute(router: Router, smsLog: SmsLog, access: RequestHandler): void {
  router.get(`${REINSTALL_PATH}/sms_log`, access, async (req, res) => {
    const { project } = res.locals as AuthenticatedLocals;
    const limit = readInteger(req.query.limit, 'limit', DEFAULT_LIMIT, 1, MAX_LIMIT);
    const before = optionalString(req.query.before, 'before');
    if (before !== undefined && !STREAM_ID.test(before)) {
      throw HttpError.fields({ before: 'before must be the id of an entry, such as 1764859200000-0' });
    }
    const batchId = optionalString(req.query.batch_id, 'batch_id');
    const phoneNumber = optionalString(req.query.phone_number, 'phone_number');
    const number = phoneNumber === undefined ? undefined : digitsOf(phoneNumber);

    const entries = await smsLog.list({ domain: project.domain, batchId, number, limit, before });
    const last = entries.at(-1);
    res.json({
      entries: entries.map(entryView),
      next_before: entries.length === limit && last ? last.id : null,
    });
  });
}

function optionalString(value: unknown, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') {
    throw HttpError.fields({ [name]: `give ${name} once, as a non-empty value` });
  }
  return value;
}

function digitsOf(phoneNumber: string): string {
  const check = checkNumber(phoneNumber);
  if (!check.valid) {
    throw HttpError.fields({ phone_number: `phone_number ${JSON.stringify(phoneNumber)} ${check.reason}` });
  }
  return check.digits;
}

function entryView(entry: SmsLogEntry) {
  return {
    id: entry.id,
    time: entry.time,
    batch_id: entry.batchId,
    step: entry.step,
    phone_number: entry.to,
    status: entry.status,
    message_ids: entry.messageIds,
    error_code: entry.errorCode,
    attempt: entry.attempt,
  };
}
