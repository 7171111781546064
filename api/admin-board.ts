import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import type { BeforeHook } from '@bull-board/api/typings/app';
import { ExpressAdapter } from '@bull-board/express';
import type { Queue } from 'bullmq';
import { Router, type Express } from 'express';
import { maskJobData } from './mask-job-data.js';
import { dashboardDisabled, requireOperator, type OperatorCredentials } from './operator-auth.js';

/** Mount point of the router that `adminRouter` builds. */
export const ADMIN_PATH = '/admin';
export const BOARD_PATH = `${ADMIN_PATH}/queues`;

/**
 * Board routes that write job data. The board shows numbers masked, so data
 * edited or copied in it would replace a real number with a masked one.
 */
const DATA_WRITING_ROUTES = new Set([
  '/api/queues/:queueName/add',
  '/api/queues/:queueName/:jobId/update-data',
]);

const rejectDataWrites: BeforeHook = ({ route }) => {
  if (!DATA_WRITING_ROUTES.has(route)) return { allow: true };
  return {
    allow: false,
    status: 403,
    errorKey: 'ERRORS.FORBIDDEN',
    message: 'job data is shown with masked phone numbers, so it cannot be edited or copied here',
  };
};

/** Builds Bull Board over the given queues, with phone numbers in job data masked. */
function createBoard(queues: Queue[]): Express {
  const adapters = queues.map((queue) => {
    const adapter = new BullMQAdapter(queue);
    // NOTE: failed reasons and stack traces are shown unmasked. The worker's errors contain gateway
    // error texts and HTTP statuses but no numbers, and a change there would show numbers here.
    adapter.setFormatter('data', (data: unknown) => maskJobData(data));
    return adapter;
  });
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(BOARD_PATH);
  createBullBoard({
    queues: adapters,
    serverAdapter,
    options: { handlerHooks: { before: rejectDataWrites } },
  });
  const board = serverAdapter.getRouter() as Express;
  board.disable('x-powered-by');
  return board;
}

/**
 * Routes under ADMIN_PATH. Every request passes the operator's HTTP Basic
 * check before it reaches the board's page, JSON API or static files. With
 * no operator credentials configured, every route returns 404.
 */
export function adminRouter(queues: Queue[], operator: OperatorCredentials | undefined): Router {
  const router = Router();
  if (!operator) {
    router.use(dashboardDisabled);
    return router;
  }
  router.use(requireOperator(operator));
  router.use(BOARD_PATH.slice(ADMIN_PATH.length), createBoard(queues));
  return router;
}
