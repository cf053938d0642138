/**
 * The black-box searchers, `name → factory`. Tests loop over every entry; the CLI's `--strategy`
 * choices are these names plus `darts` (src/api/search-darts.ts).
 */
import type { Genotype, SearchSpace } from '../../space/spaces';
import type { Searcher, SearcherOptions, SearcherState } from './searcher';
import { RandomSearcher } from './random';
import { EvolutionSearcher } from './evolution';
import { GeneticSearcher } from './genetic';
import { PredictorSearcher } from './predictor';
import { NaoSearcher } from './nao';

export type SearcherFactory = (space: SearchSpace<Genotype>, opts: SearcherOptions) => Searcher<Genotype>;

export const SEARCHERS = {
  random: (space, opts) => new RandomSearcher('random', space, opts),
  evolution: (space, opts) => new EvolutionSearcher('evolution', space, opts),
  genetic: (space, opts) => new GeneticSearcher('genetic', space, opts),
  predictor: (space, opts) => new PredictorSearcher('predictor', space, opts),
  nao: (space, opts) => new NaoSearcher('nao', space, opts),
} satisfies Record<string, SearcherFactory>;

export type SearcherName = keyof typeof SEARCHERS;
/** The black-box strategy names, in registry order (for `--strategy` choices). */
export const SEARCHER_NAMES = Object.keys(SEARCHERS) as SearcherName[];

/** The `tfnas search` options each searcher reads (anything else of these is rejected, not ignored). */
export const SEARCHER_CLI_OPTIONS: Record<SearcherName, readonly string[]> = {
  random: [],
  evolution: ['population', 'tournament'],
  genetic: ['population', 'tournament'],
  predictor: ['init', 'batch', 'model-steps'],
  nao: ['init', 'batch', 'model-steps'],
};

/**
 * How each searcher runs on a job queue (tfnas search --queue): `asynchronous` ones ask a new
 * candidate whenever a worker is free and take scores in the order they arrive (regularized
 * evolution as Real et al. 2019 run it on many workers: the population ages by arrival);
 * `synchronous` ones ask a whole generation or model batch, wait for all its scores and take them in
 * the order asked, so a queued run does not depend on how many workers there are or how fast they are.
 */
export const QUEUE_SCHEDULE: Record<SearcherName, 'asynchronous' | 'synchronous'> = {
  random: 'asynchronous',
  evolution: 'asynchronous',
  genetic: 'synchronous',
  predictor: 'synchronous',
  nao: 'synchronous',
};

/** Which searchers need TensorFlow.js (a backend must be started before they are asked). */
export const TF_SEARCHERS: readonly SearcherName[] = ['predictor', 'nao'];

export function makeSearcher(name: string, space: SearchSpace<Genotype>, opts: SearcherOptions): Searcher<Genotype> {
  const f = (SEARCHERS as Record<string, SearcherFactory>)[name];
  if (!f) throw new Error(`unknown strategy "${name}" (expected one of ${SEARCHER_NAMES.join(', ')})`);
  return f(space, opts);
}

/** A fresh searcher of the state's strategy with the state restored (resume). */
export function restoreSearcher(state: SearcherState, space: SearchSpace<Genotype>, opts: SearcherOptions): Searcher<Genotype> {
  const s = makeSearcher(state.strategy, space, opts);
  s.restore(state);
  return s;
}
