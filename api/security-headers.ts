import { Router } from 'express';
import helmet from 'helmet';
import { BOARD_PATH } from './admin-board.js';
import { DOCS_PATH } from './openapi-document.js';

type Directives = Record<string, string[] | null>;

/**
 * Content-Security-Policy of JSON and text responses: a browser that opens one
 * directly loads nothing for it, runs nothing in it and frames it nowhere.
 */
const API_DIRECTIVES: Directives = {
  'default-src': ["'none'"],
  'base-uri': ["'none'"],
  'form-action': ["'none'"],
  'frame-ancestors': ["'none'"],
};

/**
 * Policy of the HTML pages (Bull Board and Swagger UI), which load scripts,
 * styles and images from this origin. Bull Board links Google Fonts, which
 * `https:` in style-src and font-src allows. helmet's default
 * upgrade-insecure-requests is left out because the service serves plain
 * HTTP unless a proxy adds TLS, and browsers would rewrite the pages' requests
 * to https. NOTE: Chromium exempts loopback from the rewrite, so the browser
 * tests pass either way and only a page opened over another address shows it.
 */
const PAGE_DIRECTIVES: Directives = {
  'default-src': ["'self'"],
  'base-uri': ["'self'"],
  'connect-src': ["'self'"],
  'font-src': ["'self'", 'https:', 'data:'],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
  'img-src': ["'self'", 'data:'],
  'object-src': ["'none'"],
  'script-src': ["'self'"],
  'script-src-attr': ["'none'"],
  'style-src': ["'self'", 'https:', "'unsafe-inline'"],
};

function contentSecurityPolicy(directives: Directives) {
  return helmet.contentSecurityPolicy({ useDefaults: false, directives });
}

/**
 * Sets helmet's security headers on every response, with a strict
 * Content-Security-Policy for the API and a looser one for the two HTML
 * pages. Mount it first, so error responses carry the headers too.
 */
export function securityHeaders(): Router {
  const router = Router();
  router.use(
    helmet({
      contentSecurityPolicy: { useDefaults: false, directives: API_DIRECTIVES },
      xFrameOptions: { action: 'deny' },
    }),
  );
  // helmet sets the header with setHeader, so these replace the API policy on the pages' paths.
  router.use([BOARD_PATH, DOCS_PATH], contentSecurityPolicy(PAGE_DIRECTIVES));
  return router;
}
