import type { RequestHandler, Router } from 'express';
import type { AuthenticatedLocals } from './authenticate.js';
import { batchDetailView, batchSummaryView, batchView } from './batch-views.js';
import { HttpError } from './http-error.js';
import type { ReinstallDeps } from './reinstall-deps.js';
import { readBoolean, readInteger } from './query-params.js';
import { REINSTALL_PATH } from './reinstall.route.js';

const DEFAULT_LIST_LIMIT = 50;
const MAX_LIST_LIMIT = 500;

/** Adds the batch routes: a project's recent batches, and one batch with optional detail and wait. */
export function registerBatchRoutes(router: Router, deps: ReinstallDeps, access: RequestHandler): void {
  router.get(`${REINSTALL_PATH}/batches`, access, async (req, res) => {
    const { project } = res.locals as AuthenticatedLocals;
    const limit = readInteger(req.query.limit, 'limit', DEFAULT_LIST_LIMIT, 1, MAX_LIST_LIMIT);
    const batches = await deps.batches.listRecent(project.domain, limit);
    res.json({ batches: batches.map(batchSummaryView) });
  });

  router.get(`${REINSTALL_PATH}/batches/:batchId`, access, async (req, res) => {
    const { project } = res.locals as AuthenticatedLocals;
    const batchId = String(req.params.batchId);
    const waitSeconds = readInteger(req.query.wait, 'wait', 0, 0, deps.maxPollWaitSeconds);
    const detail = readBoolean(req.query.detail, 'detail');

    let batch = await deps.batches.get(batchId);
    if (!batch || batch.domain !== project.domain) {
      throw HttpError.error(404, 'batch_not_found', `batch ${batchId} does not exist in project ${project.domain}`);
    }
    if (batch.state === 'pending' && waitSeconds > 0) {
      await deps.waiter.waitForSettled(batchId, waitSeconds * 1000);
      batch = (await deps.batches.get(batchId)) ?? batch;
    }
    res.json(detail ? batchDetailView(batch, await deps.batches.getMessages(batchId)) : batchView(batch));
  });
}
