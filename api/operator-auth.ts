import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { HttpError } from './http-error.js';

/** HTTP Basic credentials for the operator dashboard, separate from projects' API keys. */
export interface OperatorCredentials {
  user: string;
  password: string;
}

const CHALLENGE = { 'WWW-Authenticate': 'Basic realm="operators"' };

function unauthorized(message: string): HttpError {
  return HttpError.error(401, 'unauthorized', message, CHALLENGE);
}

function sha256(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** Splits `Basic base64(user:password)` at the first colon, as RFC 7617 defines. */
function parseBasic(header: string | undefined): { user: string; password: string } | null {
  const match = /^Basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(header ?? '');
  if (!match) return null;
  const pair = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = pair.indexOf(':');
  if (colon < 0) return null;
  return { user: pair.slice(0, colon), password: pair.slice(colon + 1) };
}

/**
 * Requires the operator's HTTP Basic credentials and rejects other requests
 * with 401 and a Basic challenge. Both values are compared as SHA-256 digests
 * with timingSafeEqual, so the time taken reveals neither the configured
 * values nor their lengths.
 */
export function requireOperator(credentials: OperatorCredentials): RequestHandler {
  const expectedUser = sha256(credentials.user);
  const expectedPassword = sha256(credentials.password);
  return (req, _res, next) => {
    const supplied = parseBasic(req.get('authorization'));
    if (!supplied) {
      throw unauthorized('send the operator user and password with HTTP Basic');
    }
    const userMatches = timingSafeEqual(sha256(supplied.user), expectedUser);
    const passwordMatches = timingSafeEqual(sha256(supplied.password), expectedPassword);
    // Both comparisons always run, so a wrong user takes as long as a wrong password.
    if (!(userMatches && passwordMatches)) {
      throw unauthorized('the operator user or password is wrong');
    }
    next();
  };
}

/** Rejects every dashboard request with 404 while no operator password is configured. */
export const dashboardDisabled: RequestHandler = () => {
  throw HttpError.error(
    404,
    'dashboard_disabled',
    'the operator dashboard is disabled; set OPERATOR_PASSWORD to enable it',
  );
};
