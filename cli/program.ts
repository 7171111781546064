import { Command } from 'commander';
import { registerApiKeyCommands } from './api-key-commands.js';
import { registerAppCommands } from './app-commands.js';
import { registerMessageCommands } from './message-commands.js';
import { registerOptOutCommands } from './opt-out-commands.js';
import { registerProjectCommands } from './project-commands.js';
import { registerPublicKeyCommand } from './public-key-command.js';
import { registerSubmitCommand } from './submit-command.js';
import { registerWorkerCommands } from './worker-commands.js';

/** Builds the command tree; parsing it runs the chosen command. */
export function buildProgram(): Command {
  const program = new Command('cli')
    .description(
      'Administer the reinstall SMS service: projects, apps, workers, opt-outs, messages and ' +
        'API keys, kept in the Redis at REDIS_URL under KEY_PREFIX; submit sends a file of ' +
        'numbers through the HTTP API instead',
    )
    .option('--json', 'print lists and details as JSON instead of columns')
    .showHelpAfterError('(add --help for usage)')
    // Commands added after this call inherit it: usage errors then throw a CommanderError,
    // which main.ts turns into an exit code, instead of calling process.exit.
    .exitOverride();

  registerProjectCommands(program);
  registerAppCommands(program);
  registerWorkerCommands(program);
  registerOptOutCommands(program);
  registerApiKeyCommands(program);
  registerMessageCommands(program);
  registerPublicKeyCommand(program);
  registerSubmitCommand(program);
  return program;
}
