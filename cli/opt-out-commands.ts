import type { Command } from 'commander';
import { CliError } from './cli-error.js';
import { withServices } from './cli-services.js';
import { numberEnding, requireValidNumber } from './phone-argument.js';
import { requireProject } from './require-project.js';
import { printRows, wantsJson, type Column } from './table-output.js';

interface OptOut {
  phoneNumber: string;
}

const OPT_OUT_COLUMNS: Column<OptOut>[] = [
  { header: 'PHONE NUMBER', value: (optOut) => optOut.phoneNumber },
];

export function registerOptOutCommands(program: Command): void {
  const optOut = program
    .command('opt-out')
    .description('manage the numbers that a project never sends reinstall SMS to');

  optOut
    .command('add')
    .description('stop sending reinstall SMS to a number for a project')
    .argument('<domain>', 'project name')
    .argument('<phone>', 'international number, such as +16175551234')
    .action(addOptOut);

  optOut
    .command('remove')
    .description('allow reinstall SMS to an opted-out number again')
    .argument('<domain>', 'project name')
    .argument('<phone>', 'international number')
    .action(removeOptOut);

  optOut
    .command('list')
    .description('list a project\'s opted-out numbers')
    .argument('<domain>', 'project name')
    .action((domain: string, _options: object, command: Command) =>
      listOptOuts(domain, wantsJson(command)),
    );
}

async function addOptOut(domain: string, phone: string): Promise<void> {
  const digits = requireValidNumber(phone);
  await withServices(async ({ registry }) => {
    await requireProject(registry, domain);
    const [already] = await registry.areOptedOut(domain, [digits]);
    await registry.addOptOut(domain, digits);
    const state = already ? 'was already opted out' : 'is now opted out';
    process.stdout.write(`${numberEnding(digits)} ${state} of project ${domain}\n`);
  });
}

async function removeOptOut(domain: string, phone: string): Promise<void> {
  const digits = requireValidNumber(phone);
  await withServices(async ({ registry }) => {
    await requireProject(registry, domain);
    if (!(await registry.removeOptOut(domain, digits))) {
      throw new CliError(
        `${numberEnding(digits)} is not opted out of project ${domain}; ` +
          `see \`opt-out list ${domain}\``,
      );
    }
    process.stdout.write(`${numberEnding(digits)} is no longer opted out of project ${domain}\n`);
  });
}

async function listOptOuts(domain: string, json: boolean): Promise<void> {
  const numbers = await withServices(async ({ registry }) => {
    await requireProject(registry, domain);
    return registry.listOptOuts(domain);
  });
  const rows = numbers.map((phoneNumber) => ({ phoneNumber }));
  printRows(json, rows, OPT_OUT_COLUMNS, `project ${domain} has no opted-out numbers`);
}
