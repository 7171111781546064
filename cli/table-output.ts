import type { Command } from 'commander';

/** One column of a printed list: its header and how to show a row's value in it. */
export interface Column<Row> {
  header: string;
  value: (row: Row) => string;
}

/** Returns whether the global `--json` flag was given, wherever it sits on the command line. */
export function wantsJson(command: Command): boolean {
  return command.optsWithGlobals().json === true;
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/**
 * Prints rows as aligned columns under a header, or as a JSON array of the rows themselves
 * when `json` is set. An empty list prints `emptyText` in place of a lone header.
 */
export function printRows<Row>(
  json: boolean,
  rows: readonly Row[],
  columns: readonly Column<Row>[],
  emptyText: string,
): void {
  if (json) {
    printJson(rows);
    return;
  }
  if (rows.length === 0) {
    process.stdout.write(`${emptyText}\n`);
    return;
  }
  const cells = rows.map((row) => columns.map((column) => column.value(row)));
  process.stdout.write(formatColumns([columns.map((column) => column.header), ...cells]));
}

/** Prints `name value` pairs with the values aligned, for one record. */
export function printFields(fields: readonly (readonly [string, string])[]): void {
  process.stdout.write(formatColumns(fields.map(([name, value]) => [name, value])));
}

/**
 * Pads every cell but the last of each line to its column's width. Widths count UTF-16 code
 * units, so text in scripts with combining marks can misalign and fits best in the last column.
 */
function formatColumns(lines: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const line of lines) {
    line.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  }
  const padded = lines.map((line) =>
    line.map((cell, i) => (i === line.length - 1 ? cell : cell.padEnd(widths[i]))).join('  '),
  );
  return `${padded.join('\n')}\n`;
}
