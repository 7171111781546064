import { reportError } from './cli-error.js';
import { buildProgram } from './program.js';

// The exit code is set rather than passed to process.exit, so that output piped to another
// program is flushed before the process ends.
buildProgram()
  .parseAsync(process.argv)
  .catch((error: unknown) => {
    process.exitCode = reportError(error);
  });
