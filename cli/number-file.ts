import { normaliseNumber } from '../shared/phone-number.js';
import { CliError } from './cli-error.js';
import { parseCsvRecords, readUserFile } from './csv-file.js';

/** One number read from the input file, as written there. */
export interface InputNumber {
  /** 1-based line of the file, for messages. */
  line: number;
  phoneNumber: string;
}

export interface NumberFile {
  numbers: InputNumber[];
  /** Lines of CSV rows whose phone_number cell is empty, which are left out. */
  skippedLines: number[];
}

/** Duplicates or line numbers named in one message; the rest are counted. */
const MAX_LINES_SHOWN = 10;

/**
 * Reads the numbers of a file: a CSV file when its first non-blank line contains `phone_number`,
 * otherwise one number per line. Blank lines are skipped. Throws a CliError when the file cannot
 * be read, contains no numbers, or contains a number twice once normalised. The API rejects a
 * request with a repeated number, and numbers repeated across batches would be messaged twice.
 */
export function readNumberFile(file: string): NumberFile {
  const text = readUserFile(file).replace(/^\uFEFF/, '');
  const firstLine = text.split(/\r?\n/).find((line) => line.trim() !== '') ?? '';
  const contents = firstLine.includes('phone_number')
    ? readCsvNumbers(file, text)
    : { numbers: readPlainNumbers(text), skippedLines: [] };
  if (contents.numbers.length === 0) {
    const lines = contents.skippedLines;
    const empty =
      lines.length === 0 ? '' : ` (the phone_number cell is empty on lines ${listLines(lines)})`;
    throw new CliError(
      `${file} contains no phone numbers${empty}; put one number per line, or use a CSV ` +
        'file whose first line names a phone_number column',
    );
  }
  rejectDuplicates(file, contents.numbers);
  return contents;
}

function readPlainNumbers(text: string): InputNumber[] {
  const numbers: InputNumber[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const phoneNumber = raw.trim();
    if (phoneNumber !== '') numbers.push({ line: i + 1, phoneNumber });
  });
  return numbers;
}

function readCsvNumbers(file: string, text: string): NumberFile {
  const [header, ...records] = parseCsvRecords(file, text);
  const names = header ? header.record.map((name) => name.trim().toLowerCase()) : [];
  const column = names.indexOf('phone_number');
  if (column < 0) {
    throw new CliError(
      `${file} has no phone_number column; name it in the first line, such as ` +
        'phone_number,name, or list one number per line with no header',
    );
  }
  const numbers: InputNumber[] = [];
  const skippedLines: number[] = [];
  for (const { record, info } of records) {
    const phoneNumber = record[column] ?? '';
    if (phoneNumber === '') skippedLines.push(info.lines);
    else numbers.push({ line: info.lines, phoneNumber });
  }
  return { numbers, skippedLines };
}

/** Names repeated numbers by line only, so that no full number reaches the terminal. */
function rejectDuplicates(file: string, numbers: readonly InputNumber[]): void {
  const firstLineOf = new Map<string, number>();
  const repeats: string[] = [];
  for (const { line, phoneNumber } of numbers) {
    const key = normaliseNumber(phoneNumber);
    const first = firstLineOf.get(key);
    if (first === undefined) firstLineOf.set(key, line);
    else repeats.push(`line ${line} repeats line ${first}`);
  }
  if (repeats.length === 0) return;

  throw new CliError(
    `${file} lists ${repeats.length} numbers more than once (${listShort(repeats)}); ` +
      'list each number once and run the command again',
  );
}

/** Joins line numbers for a message, naming at most MAX_LINES_SHOWN of them. */
export function listLines(lines: readonly number[]): string {
  return listShort(lines.map(String));
}

function listShort(items: readonly string[]): string {
  const hidden = items.length - MAX_LINES_SHOWN;
  const more = hidden > 0 ? ` and ${hidden} more` : '';
  return `${items.slice(0, MAX_LINES_SHOWN).join(', ')}${more}`;
}
