import type { Command } from 'commander';
import type { WorkerNumber } from '../shared/registry.js';
import { CliError } from './cli-error.js';
import { withServices } from './cli-services.js';
import { parseLanguage } from './option-parsers.js';
import { numberEnding, requireValidNumber } from './phone-argument.js';
import { requireProject } from './require-project.js';
import { printJson, printRows, wantsJson, type Column } from './table-output.js';
import { importWorkers, readWorkerCsv, type ImportReport } from './worker-csv-import.js';
import {
  completeWorkerFields,
  usernameProblem,
  type OptionalWorkerFields,
} from './worker-registration.js';

type ListedWorker = WorkerNumber & { phoneNumber: string };

const WORKER_COLUMNS: Column<ListedWorker>[] = [
  { header: 'PHONE NUMBER', value: (worker) => worker.phoneNumber },
  { header: 'USERNAME', value: (worker) => worker.username },
  { header: 'LANGUAGE', value: (worker) => worker.language },
];

export function registerWorkerCommands(program: Command): void {
  const worker = program.command('worker').description('manage the mobile workers\' numbers');

  worker
    .command('add')
    .description(
      'register a number to a mobile worker of a project; for a registered number, change ' +
        'only the given options',
    )
    .argument('<domain>', 'project name')
    .argument('<phone>', 'international number, such as +16175551234')
    .option(
      '--username <name>',
      'worker\'s username (default for a new number: worker-<last 4 digits>)',
    )
    .option(
      '--language <code>',
      'ISO 639 code of the worker\'s messages (default for a new number: the project\'s)',
      parseLanguage,
    )
    .action(addWorker);

  worker
    .command('import')
    .description(
      'register the numbers in a CSV file whose header names phone_number and, ' +
        'optionally, username and language; rows that fail are listed and the rest imported, ' +
        'and empty cells of registered numbers keep their current values',
    )
    .argument('<domain>', 'project name')
    .argument('<file>', 'path of the CSV file')
    .action((domain: string, file: string, _options: object, command: Command) =>
      importFile(domain, file, wantsJson(command)),
    );

  worker
    .command('list')
    .description('list a project\'s workers')
    .argument('<domain>', 'project name')
    .action((domain: string, _options: object, command: Command) =>
      listWorkers(domain, wantsJson(command)),
    );

  worker
    .command('remove')
    .description('remove a number from a project\'s workers')
    .argument('<domain>', 'project name')
    .argument('<phone>', 'international number')
    .action(removeWorker);
}

async function addWorker(
  domain: string,
  phone: string,
  options: OptionalWorkerFields,
): Promise<void> {
  const digits = requireValidNumber(phone);
  const problem = options.username === undefined ? null : usernameProblem(options.username);
  if (problem) {
    const username = JSON.stringify(options.username);
    throw new CliError(`invalid username ${username}: it ${problem}; pick another`);
  }

  await withServices(async ({ registry }) => {
    const project = await requireProject(registry, domain);
    const [existing] = await registry.getWorkers([digits]);
    if (existing && existing.domain !== domain) {
      throw new CliError(
        `${numberEnding(digits)} is registered to project ${existing.domain}; ` +
          `remove it there first with \`worker remove ${existing.domain} <phone>\``,
      );
    }
    const { username, language } = completeWorkerFields(digits, project, existing, options);
    await registry.putWorker(digits, { domain, username, language });
    const verb = existing ? 'updated' : 'added';
    process.stdout.write(
      `${verb} worker ${username} (${digits}, language ${language}) in project ${domain}\n`,
    );
  });
}

async function importFile(domain: string, file: string, json: boolean): Promise<void> {
  const rows = readWorkerCsv(file);
  const report = await withServices(async ({ registry }) => {
    const project = await requireProject(registry, domain);
    return importWorkers(registry, project, rows);
  });
  printImportReport(report, domain, json);
  const failed = report.failures.length;
  if (failed > 0) {
    throw new CliError(
      `${failed} of ${rows.length} rows of ${file} were not imported; fix those lines and ` +
        'import the file again (rows already imported are updated, not duplicated)',
    );
  }
}

function printImportReport(report: ImportReport, domain: string, json: boolean): void {
  if (json) {
    printJson(report);
    return;
  }
  const total = report.imported + report.failures.length;
  const lines = [`imported ${report.imported} of ${total} rows into project ${domain}`];
  for (const failure of report.failures) {
    const value = JSON.stringify(failure.value);
    lines.push(`line ${failure.line}: ${failure.column} ${value} ${failure.reason}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

async function listWorkers(domain: string, json: boolean): Promise<void> {
  const workers = await withServices(async ({ registry }) => {
    await requireProject(registry, domain);
    return registry.listWorkers(domain);
  });
  const empty = `project ${domain} has no workers; add one with \`worker add ${domain} <phone>\``;
  printRows(json, workers, WORKER_COLUMNS, empty);
}

async function removeWorker(domain: string, phone: string): Promise<void> {
  const digits = requireValidNumber(phone);
  await withServices(async ({ registry }) => {
    await requireProject(registry, domain);
    if (!(await registry.removeWorker(domain, digits))) {
      throw new CliError(
        `${numberEnding(digits)} is not a worker of project ${domain}; ` +
          `see \`worker list ${domain}\``,
      );
    }
    const removed = `removed the worker with ${numberEnding(digits)} from project ${domain}`;
    process.stdout.write(`${removed}\n`);
  });
}
