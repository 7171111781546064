import { Option, type Command } from 'commander';
import { PLANS, type Plan } from '../shared/plans.js';
import type { Project } from '../shared/registry.js';
import { CliError, USAGE_EXIT_CODE } from './cli-error.js';
import { withServices } from './cli-services.js';
import { parseLanguage, parseOnOff, parsePlan } from './option-parsers.js';
import { requireProject } from './require-project.js';
import { printFields, printJson, printRows, wantsJson, type Column } from './table-output.js';

interface ProjectOptions {
  plan?: Plan;
  registration?: boolean;
  language?: string;
}

const PROJECT_COLUMNS: Column<Project>[] = [
  { header: 'DOMAIN', value: (project) => project.domain },
  { header: 'PLAN', value: (project) => project.plan },
  { header: 'REGISTRATION', value: (project) => onOff(project.registrationEnabled) },
  { header: 'LANGUAGE', value: (project) => project.defaultLanguage },
];

export function registerProjectCommands(program: Command): void {
  const project = program.command('project').description('manage projects (CommCare domains)');

  addProjectOptions(project.command('add'), true)
    .description('add a project')
    .argument('<domain>', 'project name: lowercase letters, digits and -')
    .action((domain: string, options: Required<ProjectOptions>) => addProject(domain, options));

  addProjectOptions(project.command('update'), false)
    .description('change the given settings of a project and keep the others')
    .argument('<domain>', 'project name')
    .action(updateProject);

  project
    .command('list')
    .description('list projects')
    .action((_options: object, command: Command) => listProjects(wantsJson(command)));

  project
    .command('show')
    .description('show a project\'s settings and how many apps, workers and opt-outs it has')
    .argument('<domain>', 'project name')
    .action((domain: string, _options: object, command: Command) =>
      showProject(domain, wantsJson(command)),
    );
}

function addProjectOptions(command: Command, withDefaults: boolean): Command {
  const plan = new Option('--plan <plan>', `software plan: ${PLANS.join(', ')}`)
    .argParser(parsePlan);
  const registration = new Option(
    '--registration <on|off>',
    'the "SMS Mobile Worker Registration" setting, which the reinstall API needs on',
  ).argParser(parseOnOff);
  const language = new Option(
    '--language <code>',
    'default language of workers\' messages, as an ISO 639 code',
  ).argParser(parseLanguage);
  if (withDefaults) {
    plan.default('PRO');
    registration.default(true, 'on');
    language.default('en');
  }
  return command.addOption(plan).addOption(registration).addOption(language);
}

async function addProject(domain: string, options: Required<ProjectOptions>): Promise<void> {
  await withServices(async ({ registry }) => {
    if (await registry.getProject(domain)) {
      throw new CliError(
        `project ${domain} already exists; change it with \`project update ${domain}\``,
      );
    }
    const project: Project = {
      domain,
      plan: options.plan,
      registrationEnabled: options.registration,
      defaultLanguage: options.language,
    };
    await registry.putProject(project);
    process.stdout.write(`added project ${describeProject(project)}\n`);
  });
}

async function updateProject(domain: string, options: ProjectOptions, command: Command) {
  if (Object.keys(options).length === 0) {
    command.error('error: nothing to update; give --plan, --registration or --language', {
      exitCode: USAGE_EXIT_CODE,
    });
  }
  await withServices(async ({ registry }) => {
    const current = await requireProject(registry, domain);
    const project: Project = {
      domain,
      plan: options.plan ?? current.plan,
      registrationEnabled: options.registration ?? current.registrationEnabled,
      defaultLanguage: options.language ?? current.defaultLanguage,
    };
    await registry.putProject(project);
    process.stdout.write(`updated project ${describeProject(project)}\n`);
  });
}

async function listProjects(json: boolean): Promise<void> {
  const projects = await withServices(({ registry }) => registry.listProjects());
  printRows(json, projects, PROJECT_COLUMNS, 'no projects; add one with `project add <domain>`');
}

async function showProject(domain: string, json: boolean): Promise<void> {
  const details = await withServices(async ({ registry }) => {
    const project = await requireProject(registry, domain);
    const [apps, workers, optOuts] = await Promise.all([
      registry.listApps(domain),
      registry.listWorkers(domain),
      registry.listOptOuts(domain),
    ]);
    const counts = { apps: apps.length, workers: workers.length, optOuts: optOuts.length };
    return { ...project, counts };
  });
  if (json) {
    printJson(details);
    return;
  }
  printFields([
    ['domain', details.domain],
    ['plan', details.plan],
    ['registration', onOff(details.registrationEnabled)],
    ['language', details.defaultLanguage],
    ['apps', String(details.counts.apps)],
    ['workers', String(details.counts.workers)],
    ['opt-outs', String(details.counts.optOuts)],
  ]);
}

function describeProject(project: Project): string {
  const registration = onOff(project.registrationEnabled);
  return `${project.domain}: plan ${project.plan}, registration ${registration}, ` +
    `language ${project.defaultLanguage}`;
}

function onOff(value: boolean): string {
  return value ? 'on' : 'off';
}
