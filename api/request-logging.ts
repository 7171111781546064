import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pinoHttp } from 'pino-http';
import { maskNumber, type Logger } from '../shared/logger.js';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** Masks the `phone_number` query parameter of a URL to its last four digits, and drops a webhook `secret`. */
export function maskUrl(url: string): string {
  return url.replace(/([?&]secret=)[^&#]*/g, '$1[redacted]').replace(/([?&]phone_number=)([^&#]*)/g, (_match, name: string, value: string) => {
    let decoded = value;
    try {
      decoded = decodeURIComponent(value);
    } catch {
      // Left as sent: a malformed escape is masked like any other text.
    }
    return name + maskNumber(decoded);
  });
}

/**
 * Logs one line per request with a request id (the client's X-Request-Id
 * when it is sane, else a new one, returned in the response header). Headers and bodies
 * are not logged, since they carry API keys and phone numbers.
 */
export function requestLogging(logger: Logger) {
  return pinoHttp({
    logger,
    genReqId: (req: IncomingMessage, res: ServerResponse) => {
      const given = req.headers['x-request-id'];
      const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
      res.setHeader('X-Request-Id', id);
      return id;
    },
    serializers: {
      req: (req: { id: string; method: string; url: string }) => ({
        id: req.id,
        method: req.method,
        url: maskUrl(req.url),
      }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
    customLogLevel: (_req, res, error) => (error || res.statusCode >= 500 ? 'error' : 'info'),
  });
}
