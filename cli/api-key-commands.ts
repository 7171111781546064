import type { Command } from 'commander';
import { EDIT_DATA, type ApiKeyRecord } from '../shared/api-key-store.js';
import { CliError } from './cli-error.js';
import { withServices } from './cli-services.js';
import { collect, parseExpiry, parseUsername } from './option-parsers.js';
import { requireProject } from './require-project.js';
import { printJson, printRows, wantsJson, type Column } from './table-output.js';

interface CreateKeyOptions {
  user: string;
  project: string[];
  expires?: Date;
  readOnly?: boolean;
}

const KEY_COLUMNS: Column<ApiKeyRecord>[] = [
  { header: 'ID', value: (record) => record.id },
  { header: 'USER', value: (record) => record.username },
  { header: 'PROJECTS', value: (record) => record.domains.join(',') },
  { header: 'PERMISSIONS', value: (record) => record.permissions.join(',') || 'none' },
  { header: 'CREATED', value: (record) => record.createdAt },
  { header: 'EXPIRES', value: (record) => describeExpiry(record.expiresAt) },
];

export function registerApiKeyCommands(program: Command): void {
  const apiKey = program.command('api-key').description('manage the API keys of the reinstall API');

  apiKey
    .command('create')
    .description('create an API key and print it; it is shown only this once')
    .requiredOption('--user <email>', 'username that must be sent with the key', parseUsername)
    .requiredOption('--project <domain>', 'project the key may act on; repeat for more', collect)
    .option(
      '--expires <when>',
      'expiry: a number of days (90d), a date (2030-12-31, midnight UTC) or a date and time ' +
        'with a zone (2030-12-31T18:00:00Z); default: never',
      parseExpiry,
    )
    .option('--read-only', `leave out the ${EDIT_DATA} permission, which the reinstall API needs`)
    .action((options: CreateKeyOptions, command: Command) =>
      createKey(options, wantsJson(command)),
    );

  apiKey
    .command('list')
    .description('list API keys, without the keys themselves')
    .action((_options: object, command: Command) => listKeys(wantsJson(command)));

  apiKey
    .command('revoke')
    .description('revoke an API key, so it no longer authenticates')
    .argument('<id>', 'key id, as shown by `api-key list`')
    .action(revokeKey);
}

async function createKey(options: CreateKeyOptions, json: boolean): Promise<void> {
  const domains = [...new Set(options.project)];
  const { record, key } = await withServices(async ({ registry, apiKeys }) => {
    for (const domain of domains) await requireProject(registry, domain);
    return apiKeys.create({
      username: options.user,
      domains,
      permissions: options.readOnly ? [] : [EDIT_DATA],
      expiresAt: options.expires,
    });
  });

  const warning = 'warning: store this key now; it is not shown again and cannot be recovered';
  if (json) {
    printJson({ ...record, key });
    process.stderr.write(`${warning}\n`);
    return;
  }
  process.stdout.write(
    `API key: ${key}\n` +
      `id:      ${record.id}\n` +
      `expires: ${describeExpiry(record.expiresAt)}\n` +
      `${warning}\n`,
  );
}

async function listKeys(json: boolean): Promise<void> {
  const records = await withServices(({ apiKeys }) => apiKeys.list());
  printRows(json, records, KEY_COLUMNS, 'no API keys; create one with `api-key create`');
}

async function revokeKey(id: string): Promise<void> {
  await withServices(async ({ apiKeys }) => {
    if (!(await apiKeys.revoke(id))) {
      throw new CliError(`no API key has id ${JSON.stringify(id)}; see \`api-key list\``);
    }
  });
  process.stdout.write(`revoked API key ${id}\n`);
}

function describeExpiry(expiresAt: string | undefined): string {
  if (!expiresAt) return 'never';
  return Date.parse(expiresAt) <= Date.now() ? `${expiresAt} (expired)` : expiresAt;
}
