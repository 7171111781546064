import path from 'node:path';

/**
 * Resolves a path given on the command line against the directory the user
 * ran `npm run cli` from: npm runs scripts from the package root and keeps
 * the original directory in INIT_CWD.
 */
export function resolveUserPath(file: string): string {
  return path.resolve(process.env.INIT_CWD ?? process.cwd(), file);
}
