import express, { type Express, type RequestHandler } from 'express';
import type { Config } from '../shared/config.js';
import type { Logger } from '../shared/logger.js';
import { RedisKeys } from '../shared/redis-keys.js';
import { ADMIN_PATH, adminRouter } from './admin-board.js';
import { ApiRateLimiter } from './api-rate-limiter.js';
import { appInfoRouter } from './app-info.route.js';
import { docsRouter } from './docs.route.js';
import { errorHandler, notFound } from './error-handler.js';
import { healthRouter } from './health.route.js';
import { HttpError } from './http-error.js';
import { buildOpenApiDocument, documentSettings } from './openapi-document.js';
import { requestLogging } from './request-logging.js';
import { reinstallRouter } from './reinstall.route.js';
import { securityHeaders } from './security-headers.js';
import { webhooksRouter } from './webhooks.route.js';
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

/** Settings that the app reads from the configuration itself. */
export type AppSettings = Pick<Config, 'keyPrefix' | 'apiRatePerMinute'>;

/** Builds the Express app over already-connected services. */
export function createApp(services: ApiServices, logger: Logger, settings: AppSettings): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  const isRedisReady = () => services.redis.status === 'ready';
  const keys = new RedisKeys(settings.keyPrefix);
  const rateLimiter = new ApiRateLimiter(services.redis, keys, settings.apiRatePerMinute);

  app.use(securityHeaders());
  // While the process shuts down, answers close their connections, so that
  // keep-alive clients cannot hold it open with request after request.
  app.use((_req, res, next) => {
    if (app.locals.closing) res.set('Connection', 'close');
    next();
  });
  app.use(requestLogging(logger));
  app.use(services.metrics.middleware());
  // Express would reply to OPTIONS itself in text/plain. This API has no CORS, and every
  // response it sends is JSON.
  app.options('/{*path}', notFound);
  app.use(healthRouter(services.redis, services.queue, services.metrics, services.faults));
  const openApiSettings = documentSettings(services.reinstall, rateLimiter.perMinute);
  app.use(docsRouter(buildOpenApiDocument(openApiSettings)));
  app.use('/a', requireRedis(isRedisReady));
  app.use(reinstallRouter(services.reinstall, rateLimiter));
  app.use(appInfoRouter(services.registry, services.signer));
  app.use(webhooksRouter({ ...services.webhooks, logger }));
  app.use(ADMIN_PATH, adminRouter([services.queue, services.fanOutQueue], services.operator));
  app.use(notFound);
  app.use(errorHandler(logger, isRedisReady));
  return app;
}
