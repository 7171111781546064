import type { RequestHandler } from 'express';
import { HttpError } from './http-error.js';

/**
 * Keys that change an object's prototype chain when code later merges or
 * assigns the parsed body into another object (prototype pollution).
 */
const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** Path segments shown at each end of a deep path; the middle is elided. */
const PATH_EDGE_SEGMENTS = 6;
/** Characters of one key shown in a path. */
const MAX_SEGMENT_CHARS = 40;

/**
 * One object or array still to visit. Frames link to their parent instead of
 * carrying a path string: building a string per node would cost time and
 * memory quadratic in the depth, which a client chooses.
 */
interface Frame {
  value: object;
  parent: Frame | null;
  key: string | number;
}

/** A forbidden key and the path at which it sits, such as `$.users[0].__proto__`. */
export interface ForbiddenKey {
  key: string;
  path: string;
}

/**
 * Finds a forbidden key at any depth of a parsed JSON value. The walk keeps
 * an explicit stack, so a body nested 100,000 levels deep cannot overflow
 * the call stack, and it visits each object and array once.
 */
export function findForbiddenKey(root: unknown): ForbiddenKey | null {
  if (!isContainer(root)) return null;
  const stack: Frame[] = [{ value: root, parent: null, key: '$' }];
  while (stack.length > 0) {
    const frame = stack.pop()!;
    const found = Array.isArray(frame.value)
      ? pushArrayItems(stack, frame, frame.value)
      : pushObjectValues(stack, frame, frame.value as Record<string, unknown>);
    if (found) return found;
  }
  return null;
}

function pushArrayItems(stack: Frame[], frame: Frame, items: unknown[]): null {
  for (let index = 0; index < items.length; index++) {
    const item = items[index];
    if (isContainer(item)) stack.push({ value: item, parent: frame, key: index });
  }
  return null;
}

/** Pushes the object's nested values, or returns its first forbidden key. */
function pushObjectValues(
  stack: Frame[],
  frame: Frame,
  record: Record<string, unknown>,
): ForbiddenKey | null {
  for (const key of Object.keys(record)) {
    if (FORBIDDEN_KEYS.has(key)) {
      return { key, path: formatPath({ value: record, parent: frame, key }) };
    }
    const value = record[key];
    if (isContainer(value)) stack.push({ value, parent: frame, key });
  }
  return null;
}

function isContainer(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}

/** Formats the path from the root to `leaf`, eliding the middle of deep paths. */
function formatPath(leaf: Frame): string {
  const segments: string[] = [];
  // The root frame has no parent and is written as `$`, so the walk stops before it.
  for (let frame: Frame = leaf; frame.parent !== null; frame = frame.parent) {
    segments.push(formatSegment(frame.key));
  }
  segments.reverse();
  if (segments.length <= 2 * PATH_EDGE_SEGMENTS) return `$${segments.join('')}`;
  const hidden = segments.length - 2 * PATH_EDGE_SEGMENTS;
  const head = segments.slice(0, PATH_EDGE_SEGMENTS).join('');
  const tail = segments.slice(-PATH_EDGE_SEGMENTS).join('');
  return `$${head}...(${hidden} more levels)...${tail}`;
}

function formatSegment(key: string | number): string {
  if (typeof key === 'number') return `[${key}]`;
  const shown = key.length > MAX_SEGMENT_CHARS ? `${key.slice(0, MAX_SEGMENT_CHARS)}...` : key;
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `.${shown}` : `[${JSON.stringify(shown)}]`;
}

/**
 * Rejects a parsed body that contains a forbidden key with 400
 * `{"body": ...}` naming the key and its path. Runs after the JSON parser
 * and before anything reads the body, so nothing is stored or enqueued.
 */
export const rejectForbiddenKeys: RequestHandler = (req, _res, next) => {
  const found = findForbiddenKey(req.body);
  if (found) {
    throw HttpError.fields({
      body: `the key ${JSON.stringify(found.key)} at ${found.path} is not allowed; remove it`,
    });
  }
  next();
};
