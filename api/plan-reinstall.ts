import type { Outcome } from '../shared/batch-store.js';
import type { Project, Registry } from '../shared/registry.js';
import type { ReinstallJobData } from '../shared/reinstall-job.js';
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

export interface PlanDeps {
  registry: Registry;
  playStoreUrl: string;
  publicBaseUrl: string;
}

export interface PlannedDelivery extends Delivery {
  messages: ReinstallJobData['messages'];
}

/** What a request would do: which numbers settle at once, and what each other number is sent. */
export interface ReinstallPlan {
  appId: string;
  /** Numbers exactly as the client sent them, in request order. */
  numbers: string[];
  decided: Map<number, Outcome>;
  deliveries: PlannedDelivery[];
}

/** Checks the app, classifies the numbers and renders each recipient's two messages. */
export async function planReinstall(deps: PlanDeps, project: Project, request: ReinstallRequestDto): Promise<ReinstallPlan> {
  const numbers = request.users.map((user) => user.phone_number);
  const [app, classification, render] = await Promise.all([
    deps.registry.getApp(project.domain, request.app_id),
    classifyNumbers(deps.registry, project.domain, numbers),
    messageRenderer(deps, project, request),
  ]);
  if (!app) {
    throw HttpError.fields({
      app_id: `app ${JSON.stringify(request.app_id)} does not exist in project ${project.domain}; use the id of one of its apps`,
    });
  }

  const { decided, deliveries } = classification;
  return {
    appId: app.appId,
    numbers,
    decided,
    deliveries: deliveries.map((delivery) => ({ ...delivery, messages: render(delivery) })),
  };
}

type Renderer = (delivery: Delivery) => ReinstallJobData['messages'];

async function messageRenderer(deps: PlanDeps, project: Project, request: ReinstallRequestDto): Promise<Renderer> {
  const overrides = request.reinstall_message ? {} : await deps.registry.getMessageTemplates(project.domain);
  const installText = renderInstallMessage(appInfoUrl(deps.publicBaseUrl, project.domain, request.app_id));
  const install = { text: installText, encoding: encodingFor(installText) };

  // Recipients share a handful of templates, so each is rendered and its
  // encoding worked out once per request, not once per recipient.
  const rendered = new Map<string, ReinstallJobData['messages']>();
  return (delivery) => {
    const template =
      request.reinstall_message ?? pickTemplate(delivery.language, project.defaultLanguage, overrides);
    let messages = rendered.get(template);
    if (!messages) {
      const text = renderLinkMessage(template, deps.playStoreUrl);
      messages = [{ text, encoding: encodingFor(text) }, install];
      rendered.set(template, messages);
    }
    return messages;
  };
}
