import type { Argv } from 'yargs';
import { UsageError } from '../io/errors';

// Placeholder until its owner lands it: must define --strategy (with 'darts' as default) and DARTS options.
export function addDartsSearchOptions<T>(y: Argv<T>): Argv<T> {
  return y.option('strategy', { type: 'string', default: 'darts' }) as Argv<T>;
}

export async function runDartsSearch(argv: Record<string, unknown>): Promise<void> {
  void argv;
  throw new UsageError('DARTS search is not available yet');
}
