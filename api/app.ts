import express, { type Express, type RequestHandler } from 'express';
import type { Logger } from '../shared/logger.js';
import { ADMIN_PATH, adminRouter } from './admin-board.js';
import { appInfoRouter } from './app-info.route.js';
import { errorHandler, notFound } from './error-handler.js';
import { healthRouter } from './health.route.js';
import { HttpError } from './http-error.js';
import { requestLogging } from './request-logging.js';
import { reinstallRouter } from './reinstall.route.js';
import type { ApiServices } from './api-services.js';

/** Answers 503 at once while Redis is down, rather than letting requests hang on it. */
function requireRedis(isReady: () => boolean): RequestHandler {
  return (_req, _res, next) => {
    if (!isReady()) {
      throw HttpError.error(503, 'redis_unavailable', 'the service cannot reach its data store; retry shortly', {
        'Retry-After': '5',
      });
    }
    next();
  };
}

/** Builds the Express app over already-connected services. */
export function createApp(services: ApiServices, logger: Logger): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  const isRedisReady = () => services.redis.status === 'ready';

  app.use(requestLogging(logger));
  app.use(services.metrics.middleware());
  app.use(healthRouter(services.redis, services.queue, services.metrics));
  app.use('/a', requireRedis(isRedisReady));
  app.use(reinstallRouter(services.reinstall));
  app.use(appInfoRouter(services.registry, services.signer));
  app.use(ADMIN_PATH, adminRouter(services.queue, services.operator));
  app.use(notFound);
  app.use(errorHandler(logger, isRedisReady));
  return app;
}
