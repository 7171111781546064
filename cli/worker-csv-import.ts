import { LANGUAGE_CODE } from '../shared/default-messages.js';
import { checkNumber } from '../shared/phone-number.js';
import { RegistryError, type Project, type Registry } from '../shared/registry.js';
import { CliError } from './cli-error.js';
import { parseCsvRecords, readUserFile } from './csv-file.js';
import { completeWorkerFields, usernameProblem } from './worker-registration.js';

/** One data row of a worker CSV file. Empty optional cells are undefined. */
export interface WorkerRow {
  line: number;
  phoneNumber: string;
  username?: string;
  language?: string;
}

export interface RowFailure {
  line: number;
  column: 'phone_number' | 'username' | 'language';
  value: string;
  reason: string;
}

export interface ImportReport {
  imported: number;
  failures: RowFailure[];
}

/**
 * Reads a CSV file whose header row names a `phone_number` column and, optionally, `username`
 * and `language` columns. Other columns are ignored, and so are rows whose cells are all empty.
 */
export function readWorkerCsv(file: string): WorkerRow[] {
  const [header, ...records] = parseCsvRecords(file, readUserFile(file));
  const names = header ? header.record.map((name) => name.trim().toLowerCase()) : [];
  const phoneIndex = names.indexOf('phone_number');
  if (phoneIndex < 0) {
    throw new CliError(
      `${file} has no phone_number column; its first line must name the columns, ` +
        'such as phone_number,username,language',
    );
  }
  const cell = (record: string[], name: string) => record[names.indexOf(name)] || undefined;
  return records.map(({ record, info }) => ({
    line: info.lines,
    phoneNumber: record[phoneIndex] ?? '',
    username: cell(record, 'username'),
    language: cell(record, 'language'),
  }));
}

/**
 * Registers each good row as a worker of `project` and reports the rest. A bad row does not
 * stop the import, and a number that appears twice in the file fails on its second row.
 */
export async function importWorkers(
  registry: Registry,
  project: Project,
  rows: readonly WorkerRow[],
): Promise<ImportReport> {
  const firstLineOf = new Map<string, number>();
  const failures: RowFailure[] = [];
  for (const row of rows) {
    const failure = await importRow(registry, project, row, firstLineOf);
    if (failure) failures.push(failure);
  }
  return { imported: rows.length - failures.length, failures };
}

async function importRow(
  registry: Registry,
  project: Project,
  row: WorkerRow,
  firstLineOf: Map<string, number>,
): Promise<RowFailure | null> {
  const fail = (column: RowFailure['column'], value: string, reason: string): RowFailure => ({
    line: row.line,
    column,
    value,
    reason,
  });

  const check = checkNumber(row.phoneNumber);
  if (!check.valid) return fail('phone_number', row.phoneNumber, check.reason);
  const digits = check.digits;
  const firstLine = firstLineOf.get(digits);
  if (firstLine !== undefined) {
    return fail('phone_number', row.phoneNumber, `repeats the number on line ${firstLine}`);
  }
  firstLineOf.set(digits, row.line);

  if (row.language !== undefined && !LANGUAGE_CODE.test(row.language)) {
    return fail('language', row.language, 'is not a two- or three-letter lowercase ISO 639 code');
  }
  const problem = row.username === undefined ? null : usernameProblem(row.username);
  if (problem) return fail('username', row.username ?? '', problem);

  const reason = await registerRow(registry, project, digits, row);
  return reason ? fail('phone_number', row.phoneNumber, reason) : null;
}

/** Registers one row's number and returns why that failed, or null. */
async function registerRow(
  registry: Registry,
  project: Project,
  digits: string,
  row: WorkerRow,
): Promise<string | null> {
  const [existing] = await registry.getWorkers([digits]);
  if (existing && existing.domain !== project.domain) {
    return `is registered to project ${existing.domain}`;
  }
  const fields = completeWorkerFields(digits, project, existing, row);
  try {
    await registry.putWorker(digits, { domain: project.domain, ...fields });
  } catch (error) {
    if (!(error instanceof RegistryError)) throw error;
    return error.message;
  }
  return null;
}
