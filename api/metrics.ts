import type { Queue } from 'bullmq';
import type { RequestHandler } from 'express';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { SETTLE_BUCKETS, type DeliveryMetrics } from '../shared/delivery-metrics.js';
import type { GatewayFaultStore } from '../shared/gateway-fault.js';
import type { BatchWaiter } from './batch-waiter.js';

const JOB_STATES = ['waiting', 'active', 'delayed', 'completed', 'failed', 'prioritized', 'waiting-children'] as const;

export interface MetricsSources {
  queue: Queue;
  faults: GatewayFaultStore;
  delivery: DeliveryMetrics;
  waiter: BatchWaiter;
}

/**
 * Prometheus metrics of the API process, plus the queue's and the workers'
 * figures, which are read from Redis when scraped so that every API
 * process reports the same totals.
 */
export class ApiMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'method' | 'route' | 'status'>;
  private readonly latency: Histogram<'method' | 'route'>;

  constructor(private readonly sources: MetricsSources) {
    collectDefaultMetrics({ register: this.registry });
    this.requests = new Counter({
      name: 'http_requests_total',
      help: 'HTTP requests handled, by route pattern and status',
      labelNames: ['method', 'route', 'status'],
      registers: [this.registry],
    });
    this.latency = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'Time from request to the end of the response, in seconds',
      labelNames: ['method', 'route'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [this.registry],
    });
    this.addQueueGauges();
    this.addDeliveryCounters();
  }

  /** Counts each request and times it, labelled by the matched route pattern. */
  middleware(): RequestHandler {
    return (req, res, next) => {
      const stop = this.latency.startTimer();
      res.on('finish', () => {
        const route = req.route?.path ? String(req.route.path) : 'unmatched';
        const labels = { method: req.method, route };
        stop(labels);
        this.requests.inc({ ...labels, status: String(res.statusCode) });
      });
      next();
    };
  }

  /** Renders the exposition text, with the batch settle-time histogram appended. */
  async render(): Promise<string> {
    return (await this.registry.metrics()) + (await this.renderSettleHistogram());
  }

  private addQueueGauges(): void {
    const { queue, waiter } = this.sources;
    new Gauge({
      name: 'reinstall_jobs',
      help: 'Reinstall jobs in the queue, by BullMQ state',
      labelNames: ['state'],
      registers: [this.registry],
      async collect() {
        const counts = await queue.getJobCounts(...JOB_STATES);
        for (const state of JOB_STATES) this.set({ state }, counts[state] ?? 0);
      },
    });
    new Gauge({
      name: 'reinstall_queue_depth',
      help: 'Jobs waiting to be sent: waiting, prioritized and delayed (retries in backoff)',
      registers: [this.registry],
      async collect() {
        this.set(await queue.getJobCountByTypes('waiting', 'prioritized', 'delayed'));
      },
    });
    new Gauge({
      name: 'reinstall_waiting_requests',
      help: 'Synchronous requests and long-polls of this process waiting for a batch to settle',
      registers: [this.registry],
      collect() {
        this.set(waiter.waiting);
      },
    });
  }

  private addDeliveryCounters(): void {
    const { delivery, faults } = this.sources;
    new Gauge({
      name: 'reinstall_gateway_account_fault',
      help: 'Set to 1, labelled with the Vonage status, while an account fault pauses sending',
      labelNames: ['status'],
      registers: [this.registry],
      async collect() {
        this.reset();
        const fault = await faults.current();
        if (fault) this.set({ status: fault.status }, 1);
      },
    });
    new Counter({
      name: 'reinstall_sms_total',
      help: 'SMS send attempts by all workers: sent, or failed with the gateway status code',
      labelNames: ['result', 'status_code'],
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const { result, statusCode, count } of await delivery.smsCounts()) {
          this.inc({ result, status_code: statusCode }, count);
        }
      },
    });
  }

  private async renderSettleHistogram(): Promise<string> {
    const histogram = await this.sources.delivery.settleHistogram();
    const name = 'reinstall_batch_settle_seconds';
    const lines = [
      `# HELP ${name} Time from a batch's creation until its last number settled, in seconds`,
      `# TYPE ${name} histogram`,
      ...SETTLE_BUCKETS.map((bound, i) => `${name}_bucket{le="${bound}"} ${histogram.buckets[i]}`),
      `${name}_bucket{le="+Inf"} ${histogram.count}`,
      `${name}_sum ${histogram.sum}`,
      `${name}_count ${histogram.count}`,
    ];
    return `${lines.join('\n')}\n`;
  }
}
