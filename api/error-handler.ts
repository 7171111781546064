import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from '../shared/logger.js';
import { RedisUnavailableError } from '../shared/redis-connection.js';
import { HttpError } from './http-error.js';

/** Seconds a client is told to wait before retrying while Redis is unreachable. */
const REDIS_RETRY_AFTER_SECONDS = '5';

/** Errors from body-parser carry a `type` and a `status`. */
interface BodyParserError extends Error {
  type?: string;
  status?: number;
  limit?: number;
}

function fromBodyParser(error: BodyParserError): HttpError | null {
  switch (error.type) {
    case 'entity.parse.failed':
      return HttpError.fields({ body: 'the request body is not valid JSON; send a JSON object' });
    case 'entity.too.large':
      return HttpError.error(
        413,
        'body_too_large',
        `the request body is larger than the limit of ${error.limit} bytes; split the users into several requests`,
      );
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return HttpError.error(415, 'unsupported_encoding', 'send the body as UTF-8 JSON');
    case 'request.aborted':
      return HttpError.error(400, 'request_aborted', 'the request was aborted before its body arrived');
    default:
      return null;
  }
}

/**
 * Express marks faults of the request with a 4xx `status`: a path
 * parameter that is not valid percent-encoding raises a URIError with 400.
 */
function fromExpress(error: unknown): HttpError | null {
  if (!(error instanceof Error)) return null;
  const candidate = error as Error & { status?: unknown };
  if (typeof candidate.status !== 'number') return null;
  if (candidate.status < 400 || candidate.status > 499) return null;
  return HttpError.error(candidate.status, 'bad_request', `the request could not be read: ${String(candidate.message)}`);
}

const redisUnavailable = () =>
  HttpError.error(503, 'redis_unavailable', 'the service cannot reach its data store; retry shortly', {
    'Retry-After': REDIS_RETRY_AFTER_SECONDS,
  });

/**
 * Maps an error to its answer. An unexpected error raised while the Redis
 * connection is down is taken to be caused by the outage, since ioredis
 * reports it only through message text.
 */
function toHttpError(error: unknown, redisReady: boolean): HttpError | null {
  if (error instanceof HttpError) return error;
  if (error instanceof RedisUnavailableError) return redisUnavailable();
  const fromParser = error instanceof Error ? fromBodyParser(error as BodyParserError) : null;
  if (fromParser) return fromParser;
  const clientError = fromExpress(error);
  if (clientError) return clientError;
  if (!redisReady) return redisUnavailable();
  return null;
}

/** Builds every error answer: JSON, no stack traces, a 500 only for faults of ours. */
export function errorHandler(logger: Logger, isRedisReady: () => boolean): ErrorRequestHandler {
  return (error, req, res, _next) => {
    const httpError = toHttpError(error, isRedisReady());
    if (httpError) {
      if (httpError.status >= 500) logger.warn({ err: httpError.message, path: req.path }, 'request failed');
      res.status(httpError.status).set(httpError.headers).json(httpError.body);
      return;
    }
    logger.error({ err: error, path: req.path }, 'unexpected error while handling a request');
    res.status(500).json({ error: 'internal error; the failure was logged' });
  };
}

export const notFound: RequestHandler = (req, res) => {
  res.status(404).json({ error: `no route for ${req.method} ${req.path}` });
};
