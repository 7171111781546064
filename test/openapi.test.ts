import { expect } from 'chai';
import { rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Express } from 'express';
import { DOCS_PATH, OPENAPI_PATH, SUBPATHS_EXTENSION } from '../api/openapi-document.js';
import { launchChromium } from './support/headless-chromium.js';
import {
  OpenApiValidator,
  resolvePointer,
  schemaPointers,
  type HttpExchange,
  type OpenApiDocument,
} from './support/openapi-validator.js';
import { validNumbers } from './support/phone-numbers.js';
import { ServiceHarness, usersBody } from './support/service-harness.js';

const DOMAIN = 'openapi';
const APP = 'app1';
const REINSTALL = `/a/${DOMAIN}/api/v0_5/sms_user_registration_reinstall/`;
const MAX_USERS = 25;
const SCREENSHOT = path.join(tmpdir(), 'reinstall-docs-page.png');

interface ServedRoute {
  method: string;
  path: string;
}

/** Minimal view of Express 5's router internals: layers with a route or a nested router. */
interface RouterLayer {
  slash?: boolean;
  route?: { path: unknown; methods: Record<string, boolean> };
  handle?: { stack?: RouterLayer[] };
}

/**
 * Lists the routes of routers mounted at the root. Routers mounted under a
 * prefix (Bull Board under /admin) list paths relative to it, so they are skipped.
 */
function servedRoutes(stack: RouterLayer[]): ServedRoute[] {
  return stack.flatMap((layer) => {
    if (layer.route && typeof layer.route.path === 'string') {
      const routePath = layer.route.path;
      // router.all serves every method; the document lists the GET and POST that callers use.
      const methods = Object.keys(layer.route.methods).flatMap((method) =>
        method === '_all' ? ['get', 'post'] : [method],
      );
      return methods.map((method) => ({ method, path: routePath }));
    }
    if (layer.slash && layer.handle?.stack) return servedRoutes(layer.handle.stack);
    return [];
  });
}

/** Reduces an Express or OpenAPI path to a comparable form: parameters unnamed, no end slash. */
function routeShape(routePath: string): string {
  return routePath
    .replace(/\/$/, '')
    .replace(/:\w+/g, '{}')
    .replace(/\{\w+\}/g, '{}')
    .toLowerCase();
}

function routeKey(route: ServedRoute): string {
  return `${route.method} ${routeShape(route.path)}`;
}

function documentedRoutes(document: OpenApiDocument): ServedRoute[] {
  const methods = ['get', 'put', 'post', 'delete', 'patch'];
  return Object.entries(document.paths as Record<string, Record<string, unknown>>).flatMap(
    ([template, item]) =>
      methods.filter((method) => method in item).map((method) => ({ method, path: template })),
  );
}

function collectRefs(value: unknown, refs: string[] = []): string[] {
  if (typeof value !== 'object' || value === null) return refs;
  for (const [key, child] of Object.entries(value)) {
    if (key === '$ref' && typeof child === 'string') refs.push(child);
    else collectRefs(child, refs);
  }
  return refs;
}

/** Names every security scheme that a `security` requirement list in the document mentions. */
function collectSecurityNames(value: unknown, names = new Set<string>()): Set<string> {
  if (typeof value !== 'object' || value === null) return names;
  for (const [key, child] of Object.entries(value)) {
    if (key === 'security' && Array.isArray(child)) {
      for (const requirement of child) {
        Object.keys(requirement as object).forEach((name) => names.add(name));
      }
    } else {
      collectSecurityNames(child, names);
    }
  }
  return names;
}

/** Builds a valid settled submission and its response, with `headers` added to the response's. */
function exchange(
  overrides: Partial<HttpExchange> & { headers?: Record<string, string> },
): HttpExchange {
  const { headers, ...rest } = overrides;
  return {
    method: 'POST',
    url: REINSTALL,
    requestHeaders: {},
    requestBody: JSON.stringify(usersBody(APP, ['16175558800'])),
    status: 200,
    responseHeaders: new Headers({ 'content-type': 'application/json; charset=utf-8', ...headers }),
    responseText:
      '{"success_numbers": ["16175558800"], "invalid_format_numbers": [], "error_numbers": []}',
    ...rest,
  };
}

describe('OpenAPI document', () => {
  const harness = new ServiceHarness({
    withoutWorker: true,
    env: { MAX_USERS_PER_REQUEST: String(MAX_USERS) },
  });
  let document: OpenApiDocument;
  let auth: string;

  before(async () => {
    await harness.start();
    auth = await harness.addProject(DOMAIN, APP);
    const answer = await harness.request('GET', OPENAPI_PATH);
    expect(answer.status).to.equal(200);
    document = answer.body as OpenApiDocument;
  });

  after(() => harness.stop());

  describe('as a document', () => {
    it('passes the OpenAPI 3.1 schema', async () => {
      const { Validator } = await import('@seriousme/openapi-schema-validator');
      const validator = new Validator();
      const result = await validator.validate(document);
      expect(result.errors, JSON.stringify(result.errors, null, 2)).to.equal(undefined);
      expect(result.valid).to.equal(true);
      expect(validator.version).to.equal('3.1');
    });

    it('resolves every $ref', () => {
      const refs = collectRefs(document);
      expect(refs.length).to.be.greaterThan(50);
      for (const ref of refs) {
        expect(ref, 'a reference inside the document').to.match(/^#\//);
        expect(resolvePointer(document, ref.slice(1)), ref).to.not.equal(undefined);
      }
    });

    it('compiles every schema in strict mode', () => {
      expect(schemaPointers(document).length).to.be.greaterThan(40);
      // The constructor compiles every schema with Ajv2020 in strict mode, throwing on a failure.
      expect(() => new OpenApiValidator(document)).to.not.throw();
    });

    it('states the configured user limit', () => {
      const request = resolvePointer(
        document,
        '/components/schemas/ReinstallRequest/properties/users',
      );
      expect((request as { maxItems: number }).maxItems).to.equal(MAX_USERS);
    });

    it('defines every security scheme it uses', () => {
      const schemes = Object.keys(
        (document.components as { securitySchemes: object }).securitySchemes,
      );
      expect(schemes).to.have.members(['ApiKey', 'Basic', 'OperatorBasic', 'WebhookSecret']);
      const used = collectSecurityNames(document);
      expect([...used]).to.have.members(schemes);
    });
  });

  describe('against the routes', () => {
    let served: ServedRoute[];

    before(() => {
      const app = harness.api.server.listeners('request')[0] as Express & {
        router: { stack: RouterLayer[] };
      };
      // OPTIONS on any path gets the 404 that the document gives every undocumented method.
      served = servedRoutes(app.router.stack).filter((route) => route.method !== 'options');
    });

    it('documents every route under /a', () => {
      const underA = served.filter((route) => route.path.startsWith('/a/'));
      // Submission, batch list, batch, SMS log and app info.
      expect(underA).to.have.length(5);
      const documented = new Set(documentedRoutes(document).map(routeKey));
      for (const route of underA) {
        expect(documented.has(routeKey(route)), `${route.method} ${route.path}`).to.equal(true);
      }
    });

    it('documents every other route', () => {
      const documented = new Set(documentedRoutes(document).map(routeKey));
      const paths = document.paths as Record<string, object>;
      const parents = Object.keys(paths).filter((path) => SUBPATHS_EXTENSION in paths[path]);
      for (const route of served) {
        const shape = routeShape(route.path);
        const below = parents.some((parent) => shape.startsWith(`${routeShape(parent)}/`));
        const described = below || documented.has(routeKey(route));
        expect(described, `${route.method} ${route.path}`).to.equal(true);
      }
    });

    it('serves every documented route', () => {
      const keys = new Set(served.map(routeKey));
      // Bull Board's page comes from a router mounted under /admin, which the walk skips.
      const mounted = new Set(['/admin/queues']);
      const expected = documentedRoutes(document).filter((route) => !mounted.has(route.path));
      for (const route of expected) {
        expect(keys.has(routeKey(route)), `${route.method} ${route.path}`).to.equal(true);
      }
    });
  });

  describe('validator', () => {
    let validator: OpenApiValidator;

    before(() => {
      validator = new OpenApiValidator(document);
    });

    it('accepts a conforming response', () => {
      expect(validator.problems(exchange({}))).to.deep.equal([]);
    });

    const wrongAnswers: {
      name: string;
      exchange: Partial<HttpExchange> & { headers?: Record<string, string> };
    }[] = [
      {
        name: 'an extra field',
        exchange: {
          responseText:
            '{"success_numbers": [], "invalid_format_numbers": [], "error_numbers": [], "x": 1}',
        },
      },
      {
        name: 'a missing list',
        exchange: { responseText: '{"success_numbers": [], "error_numbers": []}' },
      },
      { name: 'an undocumented status', exchange: { status: 418 } },
      { name: 'a text body', exchange: { headers: { 'content-type': 'text/plain' } } },
      { name: 'a 202 without Location', exchange: { status: 202 } },
      {
        name: 'a 401 without WWW-Authenticate',
        exchange: { status: 401, responseText: '{"error": "no"}' },
      },
      {
        name: 'a 503 without Retry-After',
        exchange: { status: 503, responseText: '{"error": "down"}' },
      },
      {
        name: 'a 400 with a non-string message',
        exchange: { status: 400, responseText: '{"users": 1}' },
      },
      { name: 'an accepted body without users', exchange: { requestBody: '{"app_id": "app1"}' } },
      { name: 'an accepted undocumented parameter', exchange: { url: `${REINSTALL}?fast=1` } },
      { name: 'an undocumented path returning 200', exchange: { url: '/a/x/elsewhere' } },
      {
        name: 'an unknown outcome in a batch',
        exchange: {
          method: 'GET',
          url: `${REINSTALL}batches/0123456789abcdef01234567/?detail=true`,
          requestBody: undefined,
          responseText: JSON.stringify({
            batch_id: '0123456789abcdef01234567',
            status: 'settled',
            app_id: APP,
            created_at: '2025-01-01T00:00:00.000Z',
            settled_at: '2025-01-01T00:00:01.000Z',
            counts: { total: 1, success: 0, invalid_format: 0, error: 0, pending: 0 },
            success_numbers: [],
            invalid_format_numbers: [],
            error_numbers: [],
            pending_numbers: [],
            numbers: [
              { phone_number: '1', normalised: '1', outcome: 'lost', reason: null, messages: [] },
            ],
          }),
        },
      },
    ];

    for (const wrong of wrongAnswers) {
      it(`rejects ${wrong.name}`, () => {
        expect(validator.problems(exchange(wrong.exchange))).to.not.deep.equal([]);
      });
    }

    it('is wired into the harness', async () => {
      const strict = structuredClone(document);
      const status = resolvePointer(strict, '/components/schemas/Health/properties/status') as {
        const: string;
      };
      status.const = 'alive';
      const wired = harness.openApi;
      harness.openApi = new OpenApiValidator(strict);
      let failure: unknown;
      try {
        await harness.request('GET', '/healthz');
      } catch (error) {
        failure = error;
      } finally {
        harness.openApi = wired;
      }
      expect(failure).to.be.an('error');
      expect((failure as Error).message).to.match(/GET \/healthz returned 200/);
      expect((failure as Error).message).to.include('body/status must be equal to constant');
    });

    it('names the request in its error', () => {
      expect(() => validator.check(exchange({ status: 418 }))).to.throw(
        /POST \/a\/openapi\/.* returned 418/,
      );
    });

    it('checks responses the harness receives', async () => {
      const answer = await harness.reinstall(DOMAIN, auth, usersBody(APP, validNumbers(1, 8800)), {
        prefer: 'respond-async',
      });
      expect(answer.status).to.equal(202);
      const tampered = exchange({
        status: 202,
        headers: { location: answer.headers.get('location') ?? '' },
        responseText: answer.text.replace('"status":"pending"', '"status":"sent"'),
      });
      expect(
        validator.problems(exchange({ ...tampered, responseText: answer.text })),
      ).to.deep.equal([]);
      const problems = validator.problems(tampered);
      expect(problems).to.have.length(1);
      expect(problems[0]).to.match(/^body does not match/);
    });
  });

  describe('docs page', () => {
    it('serves the page', async () => {
      const answer = await harness.request('GET', DOCS_PATH);
      expect(answer.status).to.equal(200);
      expect(answer.headers.get('content-type')).to.match(/^text\/html/);
      expect(answer.text).to.include(`src="${DOCS_PATH}/docs-init.js"`);
      expect(answer.text).to.not.match(/https?:\/\//);
      expect(answer.text, 'an inline script').to.not.match(/<script>/);
    });

    it('starts Swagger UI on the document', async () => {
      const answer = await harness.request('GET', `${DOCS_PATH}/docs-init.js`);
      expect(answer.status).to.equal(200);
      expect(answer.headers.get('content-type')).to.match(/javascript/);
      expect(answer.text).to.include(`url: '${OPENAPI_PATH}'`);
      expect(answer.text).to.include('validatorUrl: null');
    });

    for (const [file, type] of [
      ['swagger-ui-bundle.js', /javascript/],
      ['swagger-ui.css', /^text\/css/],
    ] as const) {
      it(`serves ${file}`, async () => {
        const answer = await harness.request('GET', `${DOCS_PATH}/${file}`);
        expect(answer.status).to.equal(200);
        expect(answer.headers.get('content-type')).to.match(type);
      });
    }

    it("hides the package's demo page", async () => {
      for (const file of ['index.html', 'swagger-initializer.js']) {
        const answer = await harness.request('GET', `${DOCS_PATH}/${file}`);
        expect(answer.status, file).to.equal(404);
      }
    });

    it('renders the operations in Chromium', async function () {
      this.timeout(60_000);
      const browser = await launchChromium();
      const external: string[] = [];
      try {
        const page = await browser.context.newPage();
        page.on('request', (request) => {
          if (!request.url().startsWith(harness.baseUrl)) external.push(request.url());
        });
        const response = await page.goto(`${harness.baseUrl}${DOCS_PATH}`);
        expect(response?.status()).to.equal(200);
        await page
          .getByText('Re-send the install SMS to mobile workers')
          .first()
          .waitFor({ timeout: 30_000 });
        rmSync(SCREENSHOT, { force: true });
        await page.screenshot({ path: SCREENSHOT, fullPage: true });
      } finally {
        await browser.close();
      }
      expect(external, 'requests that leave the service').to.deep.equal([]);
      expect(statSync(SCREENSHOT).size).to.be.greaterThan(0);
    });
  });
});
