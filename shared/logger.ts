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
