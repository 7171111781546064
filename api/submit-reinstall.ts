import type { Queue } from 'bullmq';
import type { Batch, BatchStore } from '../shared/batch-store.js';
import type { Project, Registry } from '../shared/registry.js';
import { reinstallJobId, type ReinstallJobData } from '../shared/reinstall-job.js';
import {
  appInfoUrl,
  pickTemplate,
  renderInstallMessage,
  renderLinkMessage,
} from '../shared/reinstall-messages.js';
import { encodingFor } from '../shared/sms-encoding.js';
import { classifyNumbers, type Delivery } from './classify-numbers.js';
import { HttpError } from './http-error.js';
import type { ReinstallRequestDto } from './reinstall-request.dto.js';

export interface SubmitDeps {
  registry: Registry;
  batches: BatchStore;
  queue: Queue<ReinstallJobData>;
  playStoreUrl: string;
  publicBaseUrl: string;
  sendAttempts: number;
  retryBaseDelayMs: number;
}

/** Jobs added to the queue per round trip. */
const ENQUEUE_CHUNK = 1000;

/**
 * Creates a batch for a validated request: classifies its numbers, records
 * those settled at once and enqueues one job per number to send to.
 */
export async function submitReinstall(deps: SubmitDeps, project: Project, request: ReinstallRequestDto): Promise<Batch> {
  const app = await deps.registry.getApp(project.domain, request.app_id);
  if (!app) {
    throw HttpError.fields({
      app_id: `app ${JSON.stringify(request.app_id)} does not exist in project ${project.domain}; use the id of one of its apps`,
    });
  }

  const numbers = request.users.map((user) => user.phone_number);
  const { decided, deliveries } = await classifyNumbers(deps.registry, project.domain, numbers);
  const batch = await deps.batches.create({ domain: project.domain, appId: app.appId, numbers, decided });

  const render = await messageRenderer(deps, project, request);
  const jobs = deliveries.map((delivery) => toJob(deps, batch.id, project.domain, delivery, render));
  for (let i = 0; i < jobs.length; i += ENQUEUE_CHUNK) {
    await deps.queue.addBulk(jobs.slice(i, i + ENQUEUE_CHUNK));
  }
  return batch;
}

type Renderer = (delivery: Delivery) => ReinstallJobData['messages'];

async function messageRenderer(deps: SubmitDeps, project: Project, request: ReinstallRequestDto): Promise<Renderer> {
  const overrides = request.reinstall_message ? {} : await deps.registry.getMessageTemplates(project.domain);
  const installText = renderInstallMessage(appInfoUrl(deps.publicBaseUrl, project.domain, request.app_id));
  const install = { text: installText, encoding: encodingFor(installText) };

  return (delivery) => {
    const template =
      request.reinstall_message ?? pickTemplate(delivery.language, project.defaultLanguage, overrides);
    const text = renderLinkMessage(template, deps.playStoreUrl);
    return [{ text, encoding: encodingFor(text) }, install];
  };
}

function toJob(deps: SubmitDeps, batchId: string, domain: string, delivery: Delivery, render: Renderer) {
  const data: ReinstallJobData = {
    batchId,
    index: delivery.index,
    domain,
    to: delivery.digits,
    messages: render(delivery),
  };
  return {
    name: 'send-reinstall-sms',
    data,
    opts: {
      jobId: reinstallJobId(batchId, delivery.index),
      attempts: deps.sendAttempts,
      backoff: { type: 'exponential', delay: deps.retryBaseDelayMs, jitter: 0.5 },
      removeOnComplete: { count: 1000 },
      removeOnFail: { count: 5000 },
    },
  };
}
