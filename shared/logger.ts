import pino from 'pino';

/**
 * Masks a phone number to its last four digits, the only form in which a
 * number may appear in logs.
 */
export function maskNumber(value: string): string {
  const digits = value.replace(/\D/g, '');
  if (digits.length <= 4) return '*'.repeat(digits.length);
  return `${'*'.repeat(digits.length - 4)}${digits.slice(-4)}`;
}

export type Logger = pino.Logger;

export function createLogger(level = process.env.LOG_LEVEL || 'info'): Logger {
  return pino({
    level,
    base: { pid: process.pid },
    redact: {
      paths: ['req.headers.authorization', '*.apiKey', '*.apiSecret', '*.password'],
      censor: '[redacted]',
    },
  });
}

/**
 * Builds an error handler for events that repeat while a dependency is
 * down, such as Redis reconnect failures: it logs the first occurrence and
 * then at most one line per `intervalMs`, with the count since the last line.
 */
export function throttledErrorLog(logger: Logger, message: string, intervalMs = 10_000) {
  let lastLoggedAt = 0;
  let suppressed = 0;
  return (error: Error) => {
    const now = Date.now();
    if (now - lastLoggedAt < intervalMs) {
      suppressed += 1;
      return;
    }
    logger.warn({ err: error.message, repeated: suppressed }, message);
    lastLoggedAt = now;
    suppressed = 0;
  };
}
