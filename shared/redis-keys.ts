/**
 * Names of every Redis key the service writes, all under one prefix so that
 * several deployments (or test runs) can share a Redis server.
 */
export class RedisKeys {
  constructor(readonly prefix: string) {}

  /** Prefix handed to BullMQ, so queue keys live under the same namespace. */
  get bullPrefix(): string {
    return `${this.prefix}:bull`;
  }

  project(domain: string): string {
    return `${this.prefix}:project:${domain}`;
  }

  app(domain: string, appId: string): string {
    return `${this.prefix}:project:${domain}:app:${appId}`;
  }

  apps(domain: string): string {
    return `${this.prefix}:project:${domain}:apps`;
  }

  optOuts(domain: string): string {
    return `${this.prefix}:project:${domain}:opt-outs`;
  }

  messageTemplates(domain: string): string {
    return `${this.prefix}:project:${domain}:message-templates`;
  }

  /** Set of a project's workers' numbers, for listing. */
  projectWorkers(domain: string): string {
    return `${this.prefix}:project:${domain}:workers`;
  }

  /** The owner of one number: which project's worker it belongs to, and their language. */
  workerNumber(digits: string): string {
    return `${this.prefix}:worker-number:${digits}`;
  }

  projects(): string {
    return `${this.prefix}:projects`;
  }

  apiKey(keyHash: string): string {
    return `${this.prefix}:api-key:${keyHash}`;
  }

  /** Hash of key id to key hash, for listing and revoking without the key itself. */
  apiKeyIds(): string {
    return `${this.prefix}:api-key-ids`;
  }

  /** A project's batches by creation time (score in milliseconds), for listing. */
  projectBatches(domain: string): string {
    return `${this.prefix}:project:${domain}:batches`;
  }

  /** One Idempotency-Key of a project, by the SHA-256 of the key. */
  idempotencyKey(domain: string, keyHash: string): string {
    return `${this.prefix}:project:${domain}:idempotency:${keyHash}`;
  }

  /** Stream of every send attempt of a project, oldest first. */
  smsLog(domain: string): string {
    return `${this.prefix}:project:${domain}:sms-log`;
  }

  /** Ids of SMS-log entries of one batch, or of one number, newest first. */
  smsLogIndex(domain: string, kind: 'batch' | 'number', value: string): string {
    return `${this.prefix}:project:${domain}:sms-log:${kind}:${value}`;
  }

  batch(batchId: string): string {
    return `${this.prefix}:batch:${batchId}`;
  }

  /** Hash of user index to final outcome (`success` or `error:<reason>`). */
  batchOutcomes(batchId: string): string {
    return `${this.prefix}:batch:${batchId}:outcomes`;
  }

  /** Hash of per-message progress for one user: what the gateway accepted, so it is never re-sent. */
  batchMessages(batchId: string): string {
    return `${this.prefix}:batch:${batchId}:messages`;
  }

  /** Sliding log of recent send times, shared by every worker to keep to the gateway's rate. */
  sendRateLog(): string {
    return `${this.prefix}:send-rate`;
  }

  /** Sliding log of one API key's recent request times, shared by every API process. */
  apiRate(apiKeyId: string): string {
    return `${this.prefix}:api-rate:${apiKeyId}`;
  }

  /** Counters that workers write and the API exposes at /metrics, shared by every process. */
  metrics(name: 'sms' | 'batch-settle'): string {
    return `${this.prefix}:metrics:${name}`;
  }

  /** The jobs a batch still has to have added to the queue, while its fan-out job runs. */
  batchPlan(batchId: string): string {
    return `${this.prefix}:batch:${batchId}:plan`;
  }

  /** Hash of `<index>:<step>` to the latest delivery receipt of that message. */
  batchReceipts(batchId: string): string {
    return `${this.prefix}:batch:${batchId}:receipts`;
  }

  /** The project that last sent to a number, so an inbound STOP can find it. */
  lastSender(digits: string): string {
    return `${this.prefix}:last-sender:${digits}`;
  }

  /** The gateway account fault that paused sending, and the lock of the send that probes it. */
  gatewayFault(kind: 'state' | 'probe'): string {
    return `${this.prefix}:gateway-fault:${kind}`;
  }

  /** Pub/sub channel on which a batch's id is published when its last number settles. */
  batchSettledChannel(): string {
    return `${this.prefix}:batch-settled`;
  }
}
