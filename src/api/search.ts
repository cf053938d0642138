/**
 * `search(options)`: what `tfnas search` runs, as a library call. DARTS (the default strategy) or a
 * black-box searcher; the options are `tfnas search`'s flags in camelCase (one spec:
 * search/search-options.ts), with the same defaults and checks; the result is the `--json` summary.
 */
import { TfnasError } from '../io/errors';
import { withRunHooks } from '../io/run-hooks';
import type { RunSummary } from '../search/blackbox/run';
import type { DartsSummary } from '../search/darts/search';
import { SEARCH_OPTIONS } from '../search/search-options';
import type { SearcherName } from '../search/blackbox/registry';
import { dataOf } from './data';
import { logOf, readApiOptions, startApiBackend, type ApiOptions, type DataControls, type RunControls } from './options';
import { dartsDryRun, prepareDarts, runDarts, type DartsDryRun } from './search-darts';
import { runBlackBox } from './search-blackbox';

/** The black-box strategies (every searcher of the registry). */
export type BlackBoxStrategy = SearcherName;

export type SearchOptions = ApiOptions<typeof SEARCH_OPTIONS> & RunControls & DataControls;

/** A DARTS search's summary, a dry run's supernet size, or a black-box search's best architecture. */
export type SearchResult = ({ strategy: 'darts' } & DartsSummary) | ({ strategy: 'darts'; dryRun: true } & DartsDryRun) | RunSummary;

/**
 * Runs (or, with `resume: true`, continues) a search and resolves with its summary. Progress goes
 * to `onProgress`; `signal` aborts it (TfnasError `ABORTED`, the run folder keeps its checkpoint).
 */
export async function search(options: SearchOptions & { strategy: BlackBoxStrategy }): Promise<RunSummary>;
export async function search(options?: SearchOptions): Promise<SearchResult>;
export async function search(options: SearchOptions = {}): Promise<SearchResult> {
  const { values: o, argv } = readApiOptions(options as Record<string, unknown>, SEARCH_OPTIONS, 'search');
  const log = logOf(options);
  if (o.strategy === 'darts' && o.queue !== undefined) {
    throw new TfnasError('--queue: only the black-box strategies send their trials to a queue; run a whole DARTS search on a worker with `tfnas queue submit`', { option: 'queue' });
  }
  return withRunHooks({ onProgress: options.onProgress, signal: options.signal }, async () => {
    if (o.strategy !== 'darts') {
      const data = options.data ? await dataOf(options.data, o, log) : undefined;
      return runBlackBox(argv, log, data);
    }
    prepareDarts(o); // a bad option or a refused resume fails before the backend starts
    const backend = await startApiBackend(o.backend, log);
    if (o.dryRun) return { strategy: 'darts' as const, dryRun: true as const, ...dartsDryRun(o) };
    const data = await dataOf(options.data, o, log);
    return { strategy: 'darts' as const, ...(await runDarts(o, data, backend, log)) };
  });
}
