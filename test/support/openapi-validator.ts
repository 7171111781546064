import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { OpenApiRoutes, pointerOf, resolvePointer, type RouteMatch } from './openapi-routes.js';

export { pointerOf, resolvePointer } from './openapi-routes.js';

/** A parsed OpenAPI document: plain JSON. */
export type OpenApiDocument = Record<string, unknown>;

/** One HTTP request and its response, as a test sent and received them. */
export interface HttpExchange {
  method: string;
  /** Path and query string, as requested. */
  url: string;
  requestHeaders: Record<string, string>;
  /** The request body as sent, if any. */
  requestBody?: string;
  status: number;
  responseHeaders: Headers;
  responseText: string;
}

type Json = Record<string, unknown>;

type OperationMatch = Extract<RouteMatch, { kind: 'operation' }>;

interface Parameter {
  name: string;
  in: string;
  required?: boolean;
}

/** Base URI under which the document is registered with Ajv, so `$ref`s resolve inside it. */
const DOCUMENT_ID = 'urn:openapi:document';

/** Top-level OpenAPI fields, declared to Ajv so that strict mode accepts the document's root. */
const OPENAPI_ROOT_FIELDS = [
  'openapi',
  'info',
  'jsonSchemaDialect',
  'servers',
  'paths',
  'webhooks',
  'components',
  'security',
  'tags',
  'externalDocs',
];

/** The service's response to a path or method that no route serves. */
const NOT_FOUND_POINTER = '/components/responses/NotFound';

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function mediaTypeOf(contentType: string | null | undefined): string {
  return (contentType ?? '').split(';')[0].trim().toLowerCase();
}

function isJsonMediaType(mediaType: string): boolean {
  return mediaType === 'application/json' || mediaType.endsWith('+json');
}

/** Lists the pointer of every schema in the document: components and each operation's. */
export function schemaPointers(document: OpenApiDocument): string[] {
  const pointers: string[] = [];
  const components = isObject(document.components) ? document.components : {};
  for (const name of Object.keys(isObject(components.schemas) ? components.schemas : {})) {
    pointers.push(pointerOf('components', 'schemas', name));
  }
  collectNestedSchemas(components, '/components', pointers);
  collectNestedSchemas(document.paths, '/paths', pointers);
  return pointers;
}

/** Finds `schema` fields in parameters, headers, media types and request bodies. */
function collectNestedSchemas(value: unknown, pointer: string, pointers: string[]): void {
  if (typeof value !== 'object' || value === null) return;
  for (const [key, child] of Object.entries(value)) {
    const childPointer = `${pointer}${pointerOf(key)}`;
    if (childPointer === '/components/schemas') continue;
    if (key === 'schema' && isObject(child)) pointers.push(childPointer);
    else collectNestedSchemas(child, childPointer, pointers);
  }
}

/**
 * Checks HTTP exchanges against an OpenAPI 3.1 document: that the path and
 * method are documented, the status is listed, the content type and body
 * match, and required response headers are present and valid. For 2xx
 * responses it also checks the request's parameters and body, because
 * tests send invalid requests on purpose and those get error responses.
 */
export class OpenApiValidator {
  private readonly ajv: Ajv2020;
  private readonly routes: OpenApiRoutes;
  private readonly validators = new Map<string, ValidateFunction>();

  /** Compiles every schema of the document, and throws on the first that does not compile. */
  constructor(private readonly document: OpenApiDocument) {
    this.ajv = new Ajv2020({ strict: true, allowUnionTypes: true, allErrors: true });
    addFormats(this.ajv);
    for (const keyword of OPENAPI_ROOT_FIELDS) this.ajv.addKeyword({ keyword });
    this.ajv.addSchema(document, DOCUMENT_ID);
    for (const pointer of schemaPointers(document)) this.validatorAt(pointer);
    this.routes = new OpenApiRoutes(document);
  }

  /** Throws an error naming the exchange and every mismatch found. */
  check(exchange: HttpExchange): void {
    const problems = this.problems(exchange);
    if (problems.length === 0) return;
    throw new Error(
      `${exchange.method} ${exchange.url} returned ${exchange.status}, which the OpenAPI ` +
        `document does not describe:\n  ${problems.join('\n  ')}`,
    );
  }

  /** Lists the mismatches between an exchange and the document; empty when it conforms. */
  problems(exchange: HttpExchange): string[] {
    const url = new URL(exchange.url, 'http://127.0.0.1');
    const match = this.routes.match(exchange.method, url.pathname);
    const success = exchange.status >= 200 && exchange.status < 300;
    // Below a subpaths item, 2xx responses come from a bundled package and are not described.
    if (match.kind === 'subpath' && success) return [];

    const responsePointer = this.findResponse(match, String(exchange.status));
    if (typeof responsePointer !== 'string') return [responsePointer.problem];
    const problems = [
      ...this.checkResponseHeaders(responsePointer, exchange.responseHeaders),
      ...this.checkContent(responsePointer, exchange),
    ];
    if (success && match.kind === 'operation') {
      problems.push(...this.checkParameters(match, url, exchange.requestHeaders));
      problems.push(...this.checkRequestBody(match.operationPointer, exchange));
    }
    return problems;
  }

  /** Returns the pointer of the response object for a status, or the reason there is none. */
  private findResponse(match: RouteMatch, status: string): string | { problem: string } {
    if (match.kind === 'undocumented') {
      // NOTE: with OPERATOR_PASSWORD set, an undocumented path under /admin returns 401 before
      // any 404, which this rule rejects. No test requests such a path.
      if (status === '404') return NOT_FOUND_POINTER;
      return { problem: 'the path and method are not documented, so the response must be 404' };
    }
    const responsesPointer =
      match.kind === 'operation' ? `${match.operationPointer}/responses` : match.responsesPointer;
    const responses = this.at(responsesPointer);
    const key = [status, `${status[0]}XX`, 'default'].find(
      (candidate) => isObject(responses) && candidate in responses,
    );
    if (!key) return { problem: `status ${status} is not listed at ${responsesPointer}` };
    return this.follow(`${responsesPointer}${pointerOf(key)}`);
  }

  private checkResponseHeaders(responsePointer: string, headers: Headers): string[] {
    const documented = this.at(`${responsePointer}/headers`);
    if (!isObject(documented)) return [];
    const problems: string[] = [];
    for (const name of Object.keys(documented)) {
      const headerPointer = this.follow(`${responsePointer}/headers${pointerOf(name)}`);
      const value = headers.get(name);
      if (value === null) {
        const header = this.at(headerPointer) as Json;
        if (header.required === true) problems.push(`required header ${name} is missing`);
        continue;
      }
      problems.push(...this.validate(`${headerPointer}/schema`, value, `header ${name}`));
    }
    return problems;
  }

  private checkContent(responsePointer: string, exchange: HttpExchange): string[] {
    const content = this.at(`${responsePointer}/content`);
    if (!isObject(content)) return [];
    const mediaType = mediaTypeOf(exchange.responseHeaders.get('content-type'));
    if (!(mediaType in content)) {
      return [`content type "${mediaType}" is not one of ${Object.keys(content).join(', ')}`];
    }
    // Text responses (the app-info payload, metrics, HTML pages) are checked by content type only.
    if (!isJsonMediaType(mediaType)) return [];
    const body = parseJson(exchange.responseText);
    if (body === undefined) return ['the body is not valid JSON'];
    const schemaPointer = `${responsePointer}/content${pointerOf(mediaType, 'schema')}`;
    return this.validate(schemaPointer, body.value, 'body');
  }

  private checkRequestBody(operationPointer: string, exchange: HttpExchange): string[] {
    if (this.at(`${operationPointer}/requestBody`) === undefined) return [];
    const requestBody = this.follow(`${operationPointer}/requestBody`);
    const raw = exchange.requestBody;
    if (raw === undefined || raw === '') {
      const required = (this.at(requestBody) as Json).required === true;
      return required ? ['the required request body is missing'] : [];
    }
    const content = this.at(`${requestBody}/content`) as Json;
    let mediaType = mediaTypeOf(headerValue(exchange.requestHeaders, 'content-type'));
    // The reinstall route reads its body as JSON whatever the Content-Type, as documented.
    if (!(mediaType in content) && 'application/json' in content) mediaType = 'application/json';
    if (!(mediaType in content)) {
      const listed = Object.keys(content).join(', ');
      return [`request content type "${mediaType}" is not one of ${listed}`];
    }
    const body = parseBody(mediaType, raw);
    if (body === undefined) return [`the request body was accepted but is not valid ${mediaType}`];
    const schemaPointer = `${requestBody}/content${pointerOf(mediaType, 'schema')}`;
    return this.validate(schemaPointer, body.value, 'request body');
  }

  /**
   * Checks path, query and header parameters. A query parameter the operation
   * does not name must be a credential of its security scheme, or fall into
   * an exploded object parameter (style form), which takes all the others.
   */
  private checkParameters(match: OperationMatch, url: URL, headers: Record<string, string>) {
    const problems: string[] = [];
    const named = new Set(this.securityQueryNames(match.operationPointer));
    let freeForm: string | undefined;
    for (const pointer of this.parameterPointers(match)) {
      const parameter = this.at(pointer) as Parameter;
      const schemaPointer = `${pointer}/schema`;
      const schema = this.at(this.follow(schemaPointer));
      if (parameter.in === 'query' && isObject(schema) && schema.type === 'object') {
        freeForm = schemaPointer;
        continue;
      }
      if (parameter.in === 'query') named.add(parameter.name);
      const raw = parameterValue(parameter, match, url, headers);
      if (raw === undefined) {
        if (parameter.required) {
          problems.push(`required ${parameter.in} parameter ${parameter.name} is missing`);
        }
        continue;
      }
      const what = `${parameter.in} parameter ${parameter.name}`;
      problems.push(...this.validate(schemaPointer, coerce(raw, schema), what));
    }
    const others = [...url.searchParams].filter(([name]) => !named.has(name));
    if (freeForm) {
      problems.push(...this.validate(freeForm, Object.fromEntries(others), 'query parameters'));
    } else {
      problems.push(...others.map(([name]) => `query parameter ${name} is not documented`));
    }
    return problems;
  }

  /** Names of query parameters that carry credentials under the operation's security schemes. */
  private securityQueryNames(operationPointer: string): string[] {
    const requirements = this.at(`${operationPointer}/security`) ?? this.document.security;
    if (!Array.isArray(requirements)) return [];
    return requirements.flatMap((requirement: Json) =>
      Object.keys(requirement).flatMap((scheme) => {
        const definition = this.at(pointerOf('components', 'securitySchemes', scheme));
        const inQuery =
          isObject(definition) && definition.type === 'apiKey' && definition.in === 'query';
        return inQuery ? [String(definition.name)] : [];
      }),
    );
  }

  /** Pointers of the operation's parameters, the path item's included unless overridden. */
  private parameterPointers(match: OperationMatch): string[] {
    const byKey = new Map<string, string>();
    for (const owner of [match.pathItemPointer, match.operationPointer]) {
      const list = this.at(`${owner}/parameters`);
      if (!Array.isArray(list)) continue;
      list.forEach((_parameter, index) => {
        const pointer = this.follow(`${owner}/parameters/${index}`);
        const parameter = this.at(pointer) as Parameter;
        byKey.set(`${parameter.in}:${parameter.name.toLowerCase()}`, pointer);
      });
    }
    return [...byKey.values()];
  }

  private validate(schemaPointer: string, value: unknown, what: string): string[] {
    const validate = this.validatorAt(schemaPointer);
    if (validate(value)) return [];
    const errors = this.ajv.errorsText(validate.errors, { dataVar: what });
    return [`${what} does not match ${schemaPointer}: ${errors}`];
  }

  private validatorAt(schemaPointer: string): ValidateFunction {
    const cached = this.validators.get(schemaPointer);
    if (cached) return cached;
    const fragment = schemaPointer.split('/').map(encodeURIComponent).join('/');
    let validate: ValidateFunction | undefined;
    try {
      validate = this.ajv.getSchema(`${DOCUMENT_ID}#${fragment}`);
    } catch (error) {
      const message = (error as Error).message;
      throw new Error(`the schema at ${schemaPointer} does not compile: ${message}`);
    }
    if (!validate) throw new Error(`no schema at ${schemaPointer}`);
    this.validators.set(schemaPointer, validate);
    return validate;
  }

  private at(pointer: string): unknown {
    return resolvePointer(this.document, pointer);
  }

  /** Follows `$ref`s from a pointer to the pointer of the object they finally name. */
  private follow(pointer: string): string {
    let current = pointer;
    for (let hops = 0; hops < 10; hops++) {
      const value = this.at(current);
      if (!isObject(value) || typeof value.$ref !== 'string') return current;
      if (!value.$ref.startsWith('#')) {
        throw new Error(`${current} refers outside the document: ${value.$ref}`);
      }
      current = value.$ref.slice(1);
    }
    throw new Error(`${pointer} starts a $ref chain longer than 10`);
  }
}

function headerValue(headers: Record<string, string>, name: string): string | undefined {
  return Object.entries(headers).find(([key]) => key.toLowerCase() === name)?.[1];
}

/** Returns a parameter's raw value from the request, or undefined when it was not sent. */
function parameterValue(
  parameter: Parameter,
  match: OperationMatch,
  url: URL,
  headers: Record<string, string>,
): string | undefined {
  switch (parameter.in) {
    case 'path':
      return match.pathParameters[parameter.name];
    case 'query':
      return url.searchParams.get(parameter.name) ?? undefined;
    case 'header':
      return headerValue(headers, parameter.name.toLowerCase());
    default:
      return undefined;
  }
}

/** Parses a JSON or form body; undefined when it does not parse. Other media types stay text. */
function parseBody(mediaType: string, text: string): { value: unknown } | undefined {
  if (isJsonMediaType(mediaType)) return parseJson(text);
  if (mediaType === 'application/x-www-form-urlencoded') {
    return { value: Object.fromEntries(new URLSearchParams(text)) };
  }
  return { value: text };
}

function parseJson(text: string): { value: unknown } | undefined {
  try {
    return { value: JSON.parse(text) };
  } catch {
    return undefined;
  }
}

/** Turns a numeric string into a number where the schema expects one, as the service reads it. */
function coerce(raw: string, schema: unknown): unknown {
  const type = isObject(schema) ? schema.type : undefined;
  const numeric = type === 'integer' || type === 'number';
  return numeric && /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : raw;
}
