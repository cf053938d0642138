import type { Argv } from 'yargs';
import { UsageError } from '../io/errors';

// Placeholder until its owner lands it: adds the black-box searchers' options (not --strategy).
export function addBlackBoxOptions<T>(y: Argv<T>): Argv<T> {
  return y;
}

export async function runBlackBoxSearch(argv: Record<string, unknown>): Promise<void> {
  void argv;
  throw new UsageError('black-box search is not available yet');
}
