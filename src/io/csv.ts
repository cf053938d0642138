import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import * as fs from 'fs';
import { writeFileAtomic } from './atomic';

export type Row = Record<string, string | number | boolean | null | undefined>;

/** Formats rows as CSV with a header line, columns in the given order. */
export function toCsv(columns: string[], rows: Row[]): string {
  return stringify(rows, { header: true, columns });
}

/** Writes a whole CSV file atomically. */
export function writeCsv(file: string, columns: string[], rows: Row[]): void {
  writeFileAtomic(file, toCsv(columns, rows));
}

/**
 * A CSV log that is rewritten whole (atomically) on each append, so a crash never leaves a torn
 * row, and a resumed run can truncate it back to its checkpoint with `keepWhile`.
 */
export class CsvLog {
  private rows: Row[] = [];

  constructor(readonly file: string, readonly columns: string[]) {}

  /** Loads existing rows (for resume); values come back as strings. */
  load(): this {
    if (fs.existsSync(this.file)) this.rows = readCsv(this.file);
    return this;
  }

  /** Keeps only the rows for which `keep` is true (e.g. epochs before the checkpoint). */
  keepWhile(keep: (row: Row) => boolean): this {
    this.rows = this.rows.filter(keep);
    return this;
  }

  append(...rows: Row[]): void {
    this.rows.push(...rows);
    writeCsv(this.file, this.columns, this.rows);
  }

  all(): Row[] {
    return this.rows.slice();
  }
}

/** Reads a CSV file with a header line (as written by writeCsv/CsvLog); values are strings. */
export function readCsv(file: string): Record<string, string>[] {
  return parseCsv(fs.readFileSync(file, 'utf8'), file).records as Record<string, string>[];
}

/**
 * Parses CSV text with a header line (csv-parse, the sibling of the csv-stringify that writes it):
 * the header and one object per row, values as strings. Rows may have another number of fields
 * than the header (callers that care check `cells`); malformed quoting throws an Error naming
 * `file` and the line.
 */
export function parseCsv(text: string, file = '<csv>'): { header: string[]; cells: string[][]; records: Row[] } {
  let all: string[][];
  try {
    all = parse(text, { skip_empty_lines: true, relax_column_count: true, bom: true }) as string[][];
  } catch (e) {
    throw new Error(`${file}: not valid CSV: ${(e as Error).message}`);
  }
  const [header = [], ...cells] = all;
  const records = cells.map((c) => Object.fromEntries(header.map((h, i) => [h, c[i]])) as Row);
  return { header, cells, records };
}
