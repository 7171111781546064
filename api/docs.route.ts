import path from 'node:path';
import express, { Router, type RequestHandler } from 'express';
import { DOCS_PATH, OPENAPI_PATH } from './openapi-document.js';

/** Swagger UI's prebuilt files, shipped in the swagger-ui-dist package. */
const SWAGGER_UI_DIR = path.dirname(require.resolve('swagger-ui-dist/package.json'));

/**
 * The package files the page loads. The package's own index.html and
 * initializer point at a demo API on the internet, so they are not served.
 */
const ASSETS = new Set([
  'swagger-ui.css',
  'swagger-ui-bundle.js',
  'favicon-16x16.png',
  'favicon-32x32.png',
]);

/** The script that starts Swagger UI: a file, so that the page's CSP can forbid inline scripts. */
const INIT_SCRIPT_PATH = `${DOCS_PATH}/docs-init.js`;

// validatorUrl: null stops Swagger UI from sending the document to its online validator.
const INIT_SCRIPT = `SwaggerUIBundle({
  url: '${OPENAPI_PATH}',
  dom_id: '#docs',
  deepLinking: true,
  validatorUrl: null,
});
`;

const DOCS_PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>CommCare reinstall SMS API</title>
  <link rel="stylesheet" href="${DOCS_PATH}/swagger-ui.css">
  <link rel="icon" type="image/png" href="${DOCS_PATH}/favicon-32x32.png" sizes="32x32">
  <link rel="icon" type="image/png" href="${DOCS_PATH}/favicon-16x16.png" sizes="16x16">
</head>
<body>
  <div id="docs"></div>
  <script src="${DOCS_PATH}/swagger-ui-bundle.js"></script>
  <script src="${INIT_SCRIPT_PATH}"></script>
</body>
</html>
`;

function serveAssets(): RequestHandler {
  const serveFile = express.static(SWAGGER_UI_DIR, { index: false, redirect: false });
  return (req, res, next) => {
    if (!ASSETS.has(req.path.slice(1))) {
      next();
      return;
    }
    serveFile(req, res, next);
  };
}

/** Serves the OpenAPI document at OPENAPI_PATH and Swagger UI over it at DOCS_PATH. */
export function docsRouter(document: object): Router {
  const router = Router();
  const documentJson = JSON.stringify(document);
  router.get(OPENAPI_PATH, (_req, res) => {
    res.type('application/json').send(documentJson);
  });
  router.get(DOCS_PATH, (_req, res) => {
    res.type('html').send(DOCS_PAGE);
  });
  router.get(INIT_SCRIPT_PATH, (_req, res) => {
    res.type('text/javascript').send(INIT_SCRIPT);
  });
  router.use(DOCS_PATH, serveAssets());
  return router;
}
