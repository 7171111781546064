import type { RequestHandler } from 'express';
import { EDIT_DATA, type ApiKeyRecord, type ApiKeyStore } from '../shared/api-key-store.js';
import type { Project, Registry } from '../shared/registry.js';
import { planAllowsReinstall } from '../shared/plans.js';
import type { ApiRateLimiter } from './api-rate-limiter.js';
import { HttpError } from './http-error.js';

const CHALLENGE = { 'WWW-Authenticate': 'ApiKey realm="commcare", Basic realm="commcare"' };

export interface AuthenticatedLocals {
  apiKey: ApiKeyRecord;
  project: Project;
}

/** Splits `ApiKey user:key` or `Basic base64(user:key)` into its two parts. */
export function parseAuthorization(header: string | undefined): { username: string; key: string } | null {
  if (!header) return null;
  const match = /^(ApiKey|Basic)\s+(\S+)\s*$/i.exec(header);
  if (!match) return null;
  const pair =
    match[1].toLowerCase() === 'basic' ? Buffer.from(match[2], 'base64').toString('utf8') : match[2];
  // The username is an email address and holds no colon, but a key could.
  const at = pair.indexOf(':');
  if (at <= 0 || at === pair.length - 1) return null;
  return { username: pair.slice(0, at), key: pair.slice(at + 1) };
}

function unauthorized(message: string): HttpError {
  return HttpError.error(401, 'unauthorized', message, CHALLENGE);
}

/**
 * Authenticates the caller and checks their access to the project in the
 * path, in CommCare HQ's order: credentials, project, key scope, plan, the
 * registration setting. Each authenticated request counts against its key's
 * rate limit before the project checks, so requests that fail them count too.
 */
export function requireProjectAccess(
  apiKeys: ApiKeyStore,
  registry: Registry,
  rateLimiter: Pick<ApiRateLimiter, 'consume'>,
): RequestHandler {
  return async (req, res, next) => {
    const credentials = parseAuthorization(req.get('authorization'));
    if (!credentials) {
      throw unauthorized('send "Authorization: ApiKey <username>:<api key>" or HTTP Basic with the same pair');
    }
    // Both lookups go out together: one round trip, not two, per request.
    const domain = String(req.params.domain);
    const [apiKey, project] = await Promise.all([
      apiKeys.authenticate(credentials.username, credentials.key),
      registry.getProject(domain),
    ]);
    if (!apiKey) throw unauthorized('the username and API key do not match a valid, unexpired key');
    await rateLimiter.consume(apiKey.id);

    if (!project) throw HttpError.error(404, 'project_not_found', `project ${JSON.stringify(domain)} does not exist`);
    checkAccess(apiKey, project);

    Object.assign(res.locals, { apiKey, project } satisfies AuthenticatedLocals);
    next();
  };
}

function checkAccess(apiKey: ApiKeyRecord, project: Project): void {
  if (!apiKey.domains.includes(project.domain)) {
    throw HttpError.error(403, 'forbidden', `this API key is not valid for project ${project.domain}`);
  }
  if (!apiKey.permissions.includes(EDIT_DATA)) {
    throw HttpError.error(403, 'forbidden', 'this API key lacks the edit-data permission the request needs');
  }
  // CommCare HQ answers 401 when the plan is too low; clients may depend on it.
  if (!planAllowsReinstall(project.plan)) {
    throw unauthorized(`project ${project.domain} is on the ${project.plan} plan; this API needs PRO or higher`);
  }
  if (!project.registrationEnabled) {
    throw HttpError.error(
      403,
      'registration_disabled',
      `enable "SMS Mobile Worker Registration" for project ${project.domain} to use this API`,
    );
  }
}
