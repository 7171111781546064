import type { ApiKeyStore } from '../shared/api-key-store.js';
import type { BatchStore } from '../shared/batch-store.js';
import type { Registry } from '../shared/registry.js';
import type { SmsLog } from '../shared/sms-log.js';
import type { BatchWaiter } from './batch-waiter.js';
import type { IdempotencyStore } from './idempotency-store.js';
import type { PlanDeps } from './plan-reinstall.js';
import type { RequestLimits } from './reinstall-request.dto.js';
import type { SubmitDeps } from './submit-reinstall.js';

/** Everything the reinstall routes need, built once per API process. */
export interface ReinstallDeps extends PlanDeps, SubmitDeps {
  apiKeys: ApiKeyStore;
  registry: Registry;
  batches: BatchStore;
  waiter: BatchWaiter;
  idempotency: IdempotencyStore;
  smsLog: SmsLog;
  limits: RequestLimits;
  maxBodyBytes: number;
  syncWaitMs: number;
  /** Upper bound of `?wait=` on batch reads, in seconds. */
  maxPollWaitSeconds: number;
}
