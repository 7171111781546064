import type { Project, WorkerNumber } from '../shared/registry.js';

/** Username and language of a worker as a command or CSV row sets them, either one optional. */
export interface OptionalWorkerFields {
  username?: string;
  language?: string;
}

/**
 * Fills in the fields that were not set. They come from the worker's current record when the
 * number is registered, so re-adding a number changes only what was set. A new number gets
 * `worker-<last 4 digits>` and the project's default language.
 */
export function completeWorkerFields(
  digits: string,
  project: Project,
  existing: WorkerNumber | null | undefined,
  fields: OptionalWorkerFields,
): Required<OptionalWorkerFields> {
  return {
    username: fields.username ?? existing?.username ?? `worker-${digits.slice(-4)}`,
    language: fields.language ?? existing?.language ?? project.defaultLanguage,
  };
}

/**
 * Returns why a username is unusable, or null. Lists print usernames in space-separated
 * columns, so usernames must not contain whitespace.
 */
export function usernameProblem(username: string): string | null {
  if (username === '') return 'is empty';
  if (/[\s\p{Cc}]/u.test(username)) return 'contains spaces or control characters';
  return null;
}
