import { Router } from 'express';
import type { AppInfoSigner } from '../shared/app-info-signer.js';
import type { Registry } from '../shared/registry.js';
import { HttpError } from './http-error.js';

/**
 * The app-info endpoint that phones fetch after reading the install SMS. It
 * needs no authentication, since a phone calls it before anyone logs in.
 */
export function appInfoRouter(registry: Registry, signer: AppInfoSigner): Router {
  const router = Router();
  router.get('/a/:domain/sms/app_info/:appId', async (req, res) => {
    const domain = String(req.params.domain);
    const appId = String(req.params.appId);
    const app = (await registry.getProject(domain)) ? await registry.getApp(domain, appId) : null;
    if (!app) {
      throw HttpError.error(404, 'app_not_found', `app ${appId} does not exist in project ${domain}`);
    }
    res.type('text/plain').send(signer.payload(app.profileUrl));
  });
  return router;
}
