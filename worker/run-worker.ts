import { Queue, type Worker } from 'bullmq';
import { BatchPlanStore } from '../shared/batch-plan.js';
import { BatchStore } from '../shared/batch-store.js';
import type { Config } from '../shared/config.js';
import { throttledErrorLog, type Logger } from '../shared/logger.js';
import { connectPersistent } from '../shared/redis-connection.js';
import { RedisKeys } from '../shared/redis-keys.js';
import { SmsLog } from '../shared/sms-log.js';
import { GatewayFaultStore } from '../shared/gateway-fault.js';
import { SendRateLimiter } from './send-rate-limiter.js';
import { DeliveryMetrics } from '../shared/delivery-metrics.js';
import { REINSTALL_QUEUE, type FanOutJobData, type ReinstallJobData } from '../shared/reinstall-job.js';
import { createGateway } from './create-gateway.js';
import { startFanOutWorker } from './fan-out-worker.js';
import { startReinstallWorker } from './reinstall-worker.js';
import type { SmsGateway } from './sms-gateway.js';

export interface RunningWorker {
  worker: Worker<ReinstallJobData>;
  /** Adds the per-user jobs of large batches to the queue that `worker` serves. */
  fanOut: Worker<FanOutJobData>;
  close(): Promise<void>;
}

/**
 * Starts a reinstall worker, and the fan-out worker that feeds it large
 * batches. `gateway` overrides the configured one.
 */
export async function runWorker(config: Config, logger: Logger, gateway?: SmsGateway): Promise<RunningWorker> {
  const keys = new RedisKeys(config.keyPrefix);
  const connection = connectPersistent(config.redisUrl, { connectionName: `${config.keyPrefix}:worker` });
  connection.on('error', throttledErrorLog(logger, 'redis connection error'));
  // The stores get a connection apart from BullMQ's. ioredis copies every
  // script defined on a connection into each MULTI built on it, and BullMQ
  // defines its scripts (64 in bullmq 6.7) on the connection it is given.
  const storeConnection = connectPersistent(config.redisUrl, { connectionName: `${config.keyPrefix}:worker-stores` });
  storeConnection.on('error', throttledErrorLog(logger, 'redis store connection error'));

  const batches = new BatchStore(storeConnection, keys, config.batchRetentionSeconds);
  const queue = new Queue<ReinstallJobData>(REINSTALL_QUEUE, { connection, prefix: keys.bullPrefix });
  queue.on('error', throttledErrorLog(logger, 'queue error'));
  const fanOut = startFanOutWorker({
    connection,
    keys,
    plans: new BatchPlanStore(connection, keys, config.batchRetentionSeconds),
    batches,
    queue,
    retry: config,
    lockDurationMs: config.workerLockMs,
    logger,
  });
  const worker = startReinstallWorker({
    connection,
    redis: storeConnection,
    keys,
    batches,
    smsLog: new SmsLog(storeConnection, keys, config.batchRetentionSeconds),
    metrics: new DeliveryMetrics(storeConnection, keys),
    limiter: new SendRateLimiter(storeConnection, keys.sendRateLog(), {
      perSecond: config.gatewayRatePerSecond,
      marginMs: config.gatewayRateMarginMs,
    }),
    gateway: gateway ?? createGateway(config),
    sender: config.smsSender,
    faults: new GatewayFaultStore(storeConnection, keys, config.faultRecheckMs),
    retryBaseDelayMs: config.retryBaseDelayMs,
    unknownOutcomeTimeoutMs: config.unknownOutcomeTimeoutMs,
    unknownRecheckMs: config.unknownRecheckMs,
    faultRecheckMs: config.faultRecheckMs,
    lockDurationMs: config.workerLockMs,
    concurrency: config.workerConcurrency,
    logger,
  });
  await Promise.all([worker.waitUntilReady(), fanOut.waitUntilReady()]);
  logger.info({ concurrency: config.workerConcurrency }, 'worker started');

  return {
    worker,
    fanOut,
    async close() {
      // BullMQ's close waits for active jobs; past the grace period the
      // worker is closed by force, and stalled-job recovery reruns its jobs.
      let timer: NodeJS.Timeout | undefined;
      const graceEnded = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), config.shutdownGraceMs);
      });
      const workers = [worker, fanOut];
      const result = await Promise.race([Promise.all(workers.map((running) => running.close())), graceEnded]);
      clearTimeout(timer);
      if (result === 'timeout') {
        logger.warn({ graceMs: config.shutdownGraceMs }, 'jobs still running after the grace period; closing by force');
        await Promise.all(workers.map((running) => running.close(true)));
      }
      await queue.close();
      connection.disconnect();
      storeConnection.disconnect();
    },
  };
}
