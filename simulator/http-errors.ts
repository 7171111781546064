/** JSON responses of the gateway simulator for unknown routes and failed requests. */
import type { ErrorRequestHandler, Request, RequestHandler } from 'express';
import type { Logger } from 'pino';

import { maskNumber } from '../shared/logger.js';

const ROUTES = 'POST /sms/json, GET|DELETE /inbox, GET /inbox/{digits}, ' +
  'GET|PUT|DELETE /faults, GET /stats and POST /inbound';

/** Creates the last handler in the chain: a 404 that lists the routes the simulator serves. */
export function createNotFoundHandler(logger: Logger): RequestHandler {
  return (req, res) => {
    logger.debug({ method: req.method, path: maskedPath(req) }, 'no route for a request');
    res.status(404).json({
      error: `no route for ${req.method} ${req.path}; the simulator serves ${ROUTES}`,
    });
  };
}

/**
 * Creates the error handler. Body parser errors (unreadable JSON or form, too large, wrong
 * charset) get their 4xx status and a message with the fix. Anything else is a simulator bug
 * and gets HTTP 500.
 *
 * @param onBodyRejected - called for each request rejected for its body, so that SMS
 *   requests can be counted
 */
export function createErrorHandler(
  logger: Logger,
  onBodyRejected: (req: Request) => void,
): ErrorRequestHandler {
  return (error, req, res, next) => {
    if (res.headersSent) {
      // Express's default handler closes a connection whose response is already under way.
      next(error);
      return;
    }
    const status = clientErrorStatus(error);
    if (status === undefined) {
      logger.error({ err: error, method: req.method, path: maskedPath(req) },
        'gateway simulator request failed');
      res.status(500).json({ error: 'the gateway simulator failed; see its log for the error' });
      return;
    }
    onBodyRejected(req);
    // Only the type is logged because body parser errors carry the raw body.
    logger.warn({ type: error.type, method: req.method, path: maskedPath(req) },
      'rejected an unreadable request body');
    res.status(status).json({ error: bodyErrorMessage(error) });
  };
}

// Paths such as /inbox/{digits} can contain phone numbers, which logs show only masked.
function maskedPath(req: Request): string {
  return req.path.replace(/\d{5,}/g, (digits) => maskNumber(digits));
}

// Returns the 4xx status that body parsers attach to their errors, if any.
function clientErrorStatus(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' && status >= 400 && status < 500 ? status : undefined;
}

function bodyErrorMessage(error: { type?: unknown; message?: unknown }): string {
  switch (error.type) {
    case 'entity.parse.failed':
      return `request body is not valid JSON (${String(error.message)}); ` +
        'send a JSON object with Content-Type: application/json';
    case 'entity.too.large':
      return 'request body is larger than the 100 kB limit; send a smaller body';
    default:
      return `request body could not be read: ${String(error.message)}`;
  }
}
