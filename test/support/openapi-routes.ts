/** Builds a JSON Pointer from raw segments, escaping `~` and `/` (RFC 6901). */
export function pointerOf(...segments: (string | number)[]): string {
  return segments
    .map((segment) => `/${String(segment).replace(/~/g, '~0').replace(/\//g, '~1')}`)
    .join('');
}

/** Returns the value at a JSON Pointer, or undefined when the pointer leads nowhere. */
export function resolvePointer(document: unknown, pointer: string): unknown {
  if (pointer === '') return document;
  let value: unknown = document;
  for (const raw of pointer.slice(1).split('/')) {
    const segment = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (typeof value !== 'object' || value === null || !(segment in value)) return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
}

/** Must match the extension name in api/openapi-document.ts. */
export const SUBPATHS_EXTENSION = 'x-subpaths';

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** Where the document describes the response to one request. */
export type RouteMatch =
  | {
      kind: 'operation';
      operationPointer: string;
      pathItemPointer: string;
      /** Path parameters, percent-decoded. */
      pathParameters: Record<string, string>;
    }
  /** Below a path item with the subpaths extension, whose `responses` are the service's own. */
  | { kind: 'subpath'; responsesPointer: string }
  /** A path or method that the document lacks. */
  | { kind: 'undocumented' };

interface Route {
  pointer: string;
  /** Matches the template, with its path parameters as named groups. */
  exact: RegExp;
  /** Matches paths below the template, for path items with the subpaths extension. */
  below?: RegExp;
  literalSegments: number;
}

/** Matches request paths to the path templates of an OpenAPI document. */
export class OpenApiRoutes {
  private readonly routes: Route[];

  constructor(private readonly document: Record<string, unknown>) {
    const paths = (document.paths ?? {}) as Record<string, object>;
    this.routes = Object.entries(paths).map(([template, item]) => toRoute(template, item));
    // Templates with more literal segments win, as the most specific match.
    this.routes.sort((a, b) => b.literalSegments - a.literalSegments);
  }

  match(method: string, pathname: string): RouteMatch {
    const lowerMethod = method.toLowerCase();
    const route = this.routes.find((candidate) => candidate.exact.test(pathname));
    if (route) {
      const operationPointer = `${route.pointer}${pointerOf(lowerMethod)}`;
      const operation = resolvePointer(this.document, operationPointer);
      if (!HTTP_METHODS.includes(lowerMethod) || typeof operation !== 'object') {
        return { kind: 'undocumented' };
      }
      return {
        kind: 'operation',
        operationPointer,
        pathItemPointer: route.pointer,
        pathParameters: decodeGroups(route.exact.exec(pathname)?.groups),
      };
    }
    const parent = this.routes.find((candidate) => candidate.below?.test(pathname));
    if (!parent) return { kind: 'undocumented' };
    return {
      kind: 'subpath',
      responsesPointer: `${parent.pointer}${pointerOf(SUBPATHS_EXTENSION, 'responses')}`,
    };
  }
}

function toRoute(template: string, item: object): Route {
  const trimmed = template.length > 1 ? template.replace(/\/$/, '') : template;
  const source = trimmed
    .split('/')
    .map((segment) => {
      const parameter = /^\{(\w+)\}$/.exec(segment);
      return parameter ? `(?<${parameter[1]}>[^/]+)` : escapeRegExp(segment);
    })
    .join('/');
  // Express routes ignore letter case and a trailing slash by default, and so does this match.
  return {
    pointer: pointerOf('paths', template),
    exact: new RegExp(`^${source}/?$`, 'i'),
    below: SUBPATHS_EXTENSION in item ? new RegExp(`^${source}/.+`, 'i') : undefined,
    literalSegments: trimmed.split('/').filter((segment) => !segment.startsWith('{')).length,
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function decodeGroups(groups: Record<string, string> | undefined): Record<string, string> {
  const decoded: Record<string, string> = {};
  for (const [name, value] of Object.entries(groups ?? {})) {
    try {
      decoded[name] = decodeURIComponent(value);
    } catch {
      // A malformed escape is kept as sent, because the service rejects it with a 400.
      decoded[name] = value;
    }
  }
  return decoded;
}
