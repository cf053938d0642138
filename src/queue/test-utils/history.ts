import * as path from 'path';
import { readCsv } from '../../io/csv';

/** A run folder's history.csv as rows of strings (the queue tests' one reader). */
export function readHistory(dir: string): Record<string, string>[] {
  return readCsv(path.join(dir, 'history.csv'));
}
