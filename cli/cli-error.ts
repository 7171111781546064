import { CommanderError } from 'commander';

/** An expected failure of a command; its message names the value and what to do next. */
export class CliError extends Error {
  override name = 'CliError';
  readonly code = 'cli_failed';
}

/**
 * Exit code for usage errors such as a missing argument or an invalid option value. Commander
 * 14 exits with 1 for these, so the CLI maps them to 2, the usual code for bad usage.
 */
export const USAGE_EXIT_CODE = 2;

/**
 * Prints an error from parsing or running a command and returns the exit code. Commander has
 * already printed its own messages. Errors with a string `code` are expected and print as one
 * line: ConfigError, RegistryError, RedisUnavailableError, CliError and Node's file errors.
 * Anything else is a bug, so its stack is printed.
 */
export function reportError(error: unknown): number {
  if (error instanceof CommanderError) {
    return error.exitCode === 0 ? 0 : USAGE_EXIT_CODE;
  }
  process.stderr.write(`error: ${describeError(error)}\n`);
  return 1;
}

/** Returns whether an error is an expected failure, which carries a string `code`. */
export function isExpectedError(error: unknown): error is Error & { code: string } {
  return error instanceof Error && 'code' in error && typeof error.code === 'string';
}

function describeError(error: unknown): string {
  if (isExpectedError(error)) return error.message;
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
