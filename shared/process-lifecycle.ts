import type { Logger } from './logger.js';

export interface Closable {
  close(): Promise<void>;
}

/** Closes the parts in order on SIGINT or SIGTERM, then exits; a second signal exits at once. */
export function closeOnSignals(logger: Logger, parts: Closable[]): void {
  let closing = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (closing) process.exit(1);
    closing = true;
    logger.info({ signal }, 'shutting down');
    (async () => {
      for (const part of parts) await part.close();
    })()
      .then(() => process.exit(0))
      .catch((error: Error) => {
        logger.error({ err: error.message }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

/** Prints a start-up failure as one line, without a stack for the errors we expect, and exits 1. */
export function exitOnStartupError(error: unknown): never {
  const expected = error instanceof Error && 'code' in error && typeof error.code === 'string';
  const text = error instanceof Error ? (expected ? error.message : (error.stack ?? error.message)) : String(error);
  process.stderr.write(`cannot start: ${text}\n`);
  process.exit(1);
}
