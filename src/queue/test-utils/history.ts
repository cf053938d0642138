/** history.csv of a run folder as rows of strings, by column name. */
import * as fs from 'fs';
import * as path from 'path';
import { parseCsvLine } from '../../io/csv';

export function readHistory(dir: string): Record<string, string>[] {
  const lines = fs.readFileSync(path.join(dir, 'history.csv'), 'utf8').trim().split('\n');
  const header = parseCsvLine(lines[0]);
  return lines.slice(1).map((l) => Object.fromEntries(parseCsvLine(l).map((v, i) => [header[i], v])));
}
