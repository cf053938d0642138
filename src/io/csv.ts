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
  const lines = fs.readFileSync(file, 'utf8').split(/\r?\n/).filter((l) => l.length > 0);
  if (lines.length === 0) return [];
  const header = parseCsvLine(lines[0]);
  return lines.slice(1).map((line) => {
    const cells = parseCsvLine(line);
    const row: Record<string, string> = {};
    header.forEach((h, i) => (row[h] = cells[i]));
    return row;
  });
}

/** Parses one CSV line with RFC 4180 quoting (the form csv-stringify writes). */
export function parseCsvLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}
