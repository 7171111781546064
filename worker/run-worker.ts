import type { Worker } from 'bullmq';
import { BatchStore } from '../shared/batch-store.js';
import type { Config } from '../shared/config.js';
import { throttledErrorLog, type Logger } from '../shared/logger.js';
import { connectPersistent } from '../shared/redis-connection.js';
import { RedisKeys } from '../shared/redis-keys.js';
import { SmsLog } from '../shared/sms-log.js';
import { GatewayFaultStore } from '../shared/gateway-fault.js';
import { SendRateLimiter } from './send-rate-limiter.js';
import { DeliveryMetrics } from '../shared/delivery-metrics.js';
import type { ReinstallJobData } from '../shared/reinstall-job.js';
import { createGateway } from './create-gateway.js';
import { startReinstallWorker } from './reinstall-worker.js';
import type { SmsGateway } from './sms-gateway.js';

export interface RunningWorker {
  worker: Worker<ReinstallJobData>;
  close(): Promise<void>;
}

/** Starts a reinstall worker with its own Redis connection; `gateway` overrides the configured one. */
export async function runWorker(config: Config, logger: Logger, gateway?: SmsGateway): Promise<RunningWorker> {
  const keys = new RedisKeys(config.keyPrefix);
  const connection = connectPersistent(config.redisUrl, { connectionName: `${config.keyPrefix}:worker` });
  connection.on('error', throttledErrorLog(logger, 'redis connection error'));

  const worker = startReinstallWorker({
    connection,
    keys,
    batches: new BatchStore(connection, keys, config.batchRetentionSeconds),
    smsLog: new SmsLog(connection, keys, config.batchRetentionSeconds),
    metrics: new DeliveryMetrics(connection, keys),
    limiter: new SendRateLimiter(connection, keys.sendRateLog(), {
      perSecond: config.gatewayRatePerSecond,
      marginMs: config.gatewayRateMarginMs,
    }),
    gateway: gateway ?? createGateway(config),
    sender: config.smsSender,
    faults: new GatewayFaultStore(connection, keys, config.faultRecheckMs),
    retryBaseDelayMs: config.retryBaseDelayMs,
    unknownOutcomeTimeoutMs: config.unknownOutcomeTimeoutMs,
    unknownRecheckMs: config.unknownRecheckMs,
    faultRecheckMs: config.faultRecheckMs,
    lockDurationMs: config.workerLockMs,
    concurrency: config.workerConcurrency,
    logger,
  });
  await worker.waitUntilReady();
  logger.info({ concurrency: config.workerConcurrency }, 'worker started');

  return {
    worker,
    async close() {
      // BullMQ's close waits for active jobs; past the grace period the
      // worker is closed by force, and stalled-job recovery reruns its jobs.
      let timer: NodeJS.Timeout | undefined;
      const graceEnded = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), config.shutdownGraceMs);
      });
      const result = await Promise.race([worker.close(), graceEnded]);
      clearTimeout(timer);
      if (result === 'timeout') {
        logger.warn({ graceMs: config.shutdownGraceMs }, 'jobs still running after the grace period; closing by force');
        await worker.close(true);
      }
      connection.disconnect();
    },
  };
}
