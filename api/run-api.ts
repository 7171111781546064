import type { Server } from 'node:http';
import { once } from 'node:events';
import type { Config } from '../shared/config.js';
import type { Logger } from '../shared/logger.js';
import { createApiServices, type ApiServices } from './api-services.js';
import { createApp } from './app.js';
import { answerClientErrorsWithJson } from './client-error.js';

export interface RunningApi {
  server: Server;
  services: ApiServices;
  port: number;
  close(): Promise<void>;
}

/** Connects the API's services and starts listening on `config.port` (0 picks a free port). */
export async function runApi(config: Config, logger: Logger): Promise<RunningApi> {
  const services = createApiServices(config, logger);
  if (services.redis.status !== 'ready') await once(services.redis, 'ready');

  const app = createApp(services, logger, config);
  const server = app.listen(config.port, config.host);
  answerClientErrorsWithJson(server);
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  logger.info({ host: config.host, port }, 'api listening');

  return {
    server,
    services,
    port,
    async close() {
      // Stop accepting connections, answer waiting requests with their batch
      // ids, and let requests still being handled finish.
      app.locals.closing = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      services.reinstall.waiter.releaseAll();
      // Keep-alive connections turn idle once their answer is sent; close
      // them as they do, and cut any left after the grace period.
      const sweep = setInterval(() => server.closeIdleConnections(), 50);
      const deadline = setTimeout(() => server.closeAllConnections(), config.shutdownGraceMs);
      server.closeIdleConnections();
      await closed;
      clearInterval(sweep);
      clearTimeout(deadline);
      await services.close();
    },
  };
}
