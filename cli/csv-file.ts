import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { CliError } from './cli-error.js';
import { resolveUserPath } from './user-path.js';

/** Each record that csv-parse returns with `info: true`, a shape its type declarations omit. */
export interface ParsedRecord {
  record: string[];
  info: { lines: number };
}

/** Reads a file named on the command line, relative to the directory the user ran the CLI from. */
export function readUserFile(file: string): string {
  try {
    return readFileSync(resolveUserPath(file), 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new CliError(`file ${file} not found; check the path`);
    throw new CliError(`cannot read ${file} (${code ?? String(error)}); check the path`);
  }
}

/** Parses CSV text into trimmed records with their line numbers, skipping empty lines and rows. */
export function parseCsvRecords(file: string, text: string): ParsedRecord[] {
  try {
    const records = parse(text, {
      bom: true,
      info: true,
      trim: true,
      relax_column_count: true,
      // A stray quote inside a cell is kept as text instead of failing the whole file.
      relax_quotes: true,
      skip_empty_lines: true,
      skip_records_with_empty_values: true,
    });
    return records as unknown as ParsedRecord[];
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new CliError(`${file} is not valid CSV: ${reason}; fix the file and try again`);
  }
}
