import { UsageError } from '../io/errors';

/**
 * A dataset file that is missing or damaged. A UsageError, so the CLI prints the message without
 * a stack and exits 2; the message names the file, what was expected and what was found.
 */
export class DataFileError extends UsageError {
  constructor(readonly file: string, message: string) {
    super(`${file}: ${message}`, { code: 'DATA_FILE' });
    this.name = 'DataFileError';
  }
}

/** Formats an integer with thousands separators, for messages and `data info`. */
export function fmtInt(n: number): string {
  return n.toLocaleString('en-US');
}
