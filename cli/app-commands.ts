import type { Command } from 'commander';
import type { App } from '../shared/registry.js';
import { CliError } from './cli-error.js';
import { withServices } from './cli-services.js';
import { requireProject } from './require-project.js';
import { printRows, wantsJson, type Column } from './table-output.js';

interface AddAppOptions {
  profileUrl: string;
  name?: string;
}

const APP_COLUMNS: Column<App>[] = [
  { header: 'APP ID', value: (app) => app.appId },
  { header: 'NAME', value: (app) => app.name },
  { header: 'PROFILE URL', value: (app) => app.profileUrl },
];

export function registerAppCommands(program: Command): void {
  const app = program.command('app').description('manage the CommCare apps of a project');

  app
    .command('add')
    .description('add an app to a project, or replace the app with the same id')
    .argument('<domain>', 'project name')
    .argument('<app-id>', 'CommCare app id: 1-64 letters, digits, _ or -')
    .requiredOption('--profile-url <url>', 'the app\'s install (ODK profile) URL, http or https')
    .option('--name <name>', 'name to show in lists (default: the app id)')
    .action(addApp);

  app
    .command('list')
    .description('list a project\'s apps')
    .argument('<domain>', 'project name')
    .action((domain: string, _options: object, command: Command) =>
      listApps(domain, wantsJson(command)),
    );

  app
    .command('remove')
    .description('remove an app from a project')
    .argument('<domain>', 'project name')
    .argument('<app-id>', 'CommCare app id')
    .action(removeApp);
}

async function addApp(domain: string, appId: string, options: AddAppOptions): Promise<void> {
  await withServices(async ({ registry }) => {
    await requireProject(registry, domain);
    const existing = await registry.getApp(domain, appId);
    const name = options.name ?? appId;
    await registry.putApp(domain, { appId, name, profileUrl: options.profileUrl });
    const verb = existing ? 'replaced' : 'added';
    process.stdout.write(`${verb} app ${appId} in project ${domain}\n`);
  });
}

async function listApps(domain: string, json: boolean): Promise<void> {
  const apps = await withServices(async ({ registry }) => {
    await requireProject(registry, domain);
    return registry.listApps(domain);
  });
  const empty = `project ${domain} has no apps; add one with \`app add ${domain} <app-id>\``;
  printRows(json, apps, APP_COLUMNS, empty);
}

async function removeApp(domain: string, appId: string): Promise<void> {
  await withServices(async ({ registry }) => {
    await requireProject(registry, domain);
    if (!(await registry.removeApp(domain, appId))) {
      throw new CliError(
        `app ${JSON.stringify(appId)} not found in project ${domain}; see \`app list ${domain}\``,
      );
    }
    process.stdout.write(`removed app ${appId} from project ${domain}\n`);
  });
}
