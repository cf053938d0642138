/**
 * `search` with a black-box strategy (random, evolution, genetic, predictor, nao): the checked
 * options, the evaluator, the run folder and resume, in-process or on a job queue. Its options are
 * BLACKBOX_OPTIONS and the shared ones in search-options.ts.
 */
import * as path from 'path';
import type { Dataset } from '../data/types';
import { badArgument, UsageError } from '../io/errors';
import { camel, checkResume, readOptions, recordOptions, type Values } from '../cli/options';
import { runRecord, savedOptions, type RunRecord } from '../io/run-config';
import { getSpace, macroSpaceWithin, type Genotype, type SearchSpace, type SpaceName } from '../space/spaces';
import { EVALUATORS, EVALUATOR_NAMES, loadNb201Table, makeEvaluator, withNb201TestAccuracy, type Evaluator } from '../search/evaluators/registry';
import { checkNb201Dataset, nb201DatasetFrom } from '../search/tables/nb201-table';
import { SEARCHER_CLI_OPTIONS, SEARCHER_NAMES, TF_SEARCHERS, type SearcherName } from '../search/blackbox/registry';
import { runSearch, type RunSummary } from '../search/blackbox/run';
import type { SearcherOptions } from '../search/blackbox/searcher';
import { startApiBackend } from './options';
import { BLACKBOX_RUN_OPTIONS, SEARCH_OPTIONS } from '../search/search-options';
import { constrainSearcher, latencyModelFromTable, writePareto } from '../latency/constraint';

type SearchValues = Values<typeof SEARCH_OPTIONS>;

/** Rejects searcher options the chosen strategy does not read (silently ignoring them would mislead). */
function checkStrategyOptions(given: Record<string, unknown>, strategy: SearcherName): void {
  const all = [...new Set(Object.values(SEARCHER_CLI_OPTIONS).flat())];
  for (const opt of all) {
    if (given[opt] === undefined || SEARCHER_CLI_OPTIONS[strategy].includes(opt)) continue;
    const users = SEARCHER_NAMES.filter((n) => SEARCHER_CLI_OPTIONS[n].includes(opt));
    throw new UsageError(`--${opt}: not used by --strategy ${strategy}; it is an option of ${users.join(', ')}`);
  }
}

/** An `--initial` architecture in the space's canonical key form, or a UsageError naming it. */
function checkedKey(space: SearchSpace<Genotype>, key: string): string {
  let g: Genotype;
  try {
    g = space.fromKey(key);
  } catch (e) {
    throw new UsageError(`--initial: "${key}" is not a genotype of --space ${space.name} (${(e as Error).message})`);
  }
  if (!space.isValid(g)) throw new UsageError(`--initial: "${key}" is outside --space ${space.name} (or its compute budget)`);
  return space.key(g);
}

function pickEvaluator(o: SearchValues, space: SpaceName): string {
  if (o.evaluator !== undefined) return o.evaluator;
  const fit = EVALUATOR_NAMES.find((n) => EVALUATORS[n].spaces.includes(space));
  if (!fit) {
    const have = EVALUATOR_NAMES.map((n) => `${n} (--space ${EVALUATORS[n].spaces.join('|')})`).join(', ');
    throw new UsageError(`--space ${space}: no black-box evaluator supports this space yet; available: ${have}`);
  }
  return fit;
}

/** Checks the command line before anything starts (backend, table, run folder). */
function parseArgs(argv: Record<string, unknown>) {
  const o = readOptions(argv, SEARCH_OPTIONS, 'search');
  const strategy = o.strategy;
  if (!(SEARCHER_NAMES as string[]).includes(strategy)) badArgument('strategy', SEARCHER_NAMES.join('|'), strategy);
  if (o.macroMaxMacs !== undefined && o.space !== 'macro') throw new UsageError(`--macro-max-macs: a budget of the macro space (--space macro), not of --space ${o.space ?? 'nb201'}`);
  const space = o.macroMaxMacs !== undefined ? macroSpaceWithin(o.macroMaxMacs * 1e6) : getSpace(o.space ?? 'nb201');
  checkStrategyOptions(o.given, strategy as SearcherName);
  if (o.dryRun) throw new UsageError(`--dry-run: only --strategy darts has a supernet to build; ${strategy} has nothing to dry-run`);
  const searcherOptions: Omit<SearcherOptions, 'seed'> = {
    ...Object.fromEntries(
      ([['population', o.population], ['tournament', o.tournament], ['init', o.init], ['batch', o.batch], ['steps', o.modelSteps]] as const)
        .filter(([, v]) => v !== undefined),
    ),
    ...(o.initial !== undefined ? { initial: o.initial.map((k) => checkedKey(space, k)) } : {}),
  };
  const dataset = checkNb201Dataset(o.nb201Dataset ?? nb201DatasetFrom(o.dataset));
  // --budget-seconds alone: as many queries as the simulated time allows.
  const budget = o.given.budget === undefined && o.budgetSeconds !== undefined ? Infinity : o.budget;
  return { o, strategy: strategy as SearcherName, space, seed: o.seed, budget, budgetSeconds: o.budgetSeconds, dataset, searcherOptions };
}

/** The checked command line of a black-box search and its run folder (nothing started yet). */
export type BlackBoxArgs = ReturnType<typeof parseArgs> & { evaluatorName: string; outDir: string };

export function prepareBlackBox(argv: Record<string, unknown>): BlackBoxArgs {
  const parsed = parseArgs(argv);
  const { o, space } = parsed;
  const evaluatorName = pickEvaluator(o, space.name);
  for (const opt of ['nb101-signal', 'budget-seconds']) {
    if (o.given[opt] !== undefined && evaluatorName !== 'nb101') throw new UsageError(`--${opt}: an option of the nb101 evaluator (--space nb101), not of ${evaluatorName}`);
  }
  // Checked before the backend starts (makeEvaluator checks it again, for library callers).
  const entry = EVALUATORS[evaluatorName];
  if (entry && !entry.spaces.includes(space.name)) throw new UsageError(`--evaluator ${evaluatorName} works on --space ${entry.spaces.join('|')}, not ${space.name}`);
  // NAS-Bench-101 was trained on CIFAR-10 only.
  const dataName = evaluatorName === 'nb201' ? parsed.dataset : evaluatorName === 'nb101' ? 'cifar10' : o.dataset;
  const outDir = o.out ?? path.join('results', 'search', space.name, dataName, `${parsed.strategy}-seed-${parsed.seed}`);
  return { ...parsed, evaluatorName, outDir };
}

/** The search's evaluator, as the command line names it (also what a queue worker builds for a trial). */
export async function buildBlackBoxEvaluator(a: BlackBoxArgs, data?: Dataset): Promise<Evaluator> {
  const { o, evaluatorName, space, dataset, outDir, seed } = a;
  // Evaluators read their own options (data, training length) from the checked values, by flag name.
  const values = Object.fromEntries(Object.keys(SEARCH_OPTIONS).map((k) => [k, (o as Record<string, unknown>)[camel(k)]]));
  let evaluator = await makeEvaluator(evaluatorName, { space: space.name, table: o.table, dataset, runDir: outDir, seed, argv: values, data });
  if (space.name === 'nb201' && evaluatorName !== 'nb201' && o.table) evaluator = withNb201TestAccuracy(evaluator, loadNb201Table(o.table), dataset);
  return evaluator;
}

/**
 * Runs (or resumes) the black-box search `argv` (flag-keyed options) describes; `data`: in-memory
 * images for the train evaluator instead of the dataset the options name. Starts the backend
 * where the searcher or the evaluator computes.
 */
export async function runBlackBox(argv: Record<string, unknown>, log: (line: string) => void, data?: Dataset): Promise<RunSummary> {
  const a = prepareBlackBox(argv);
  const { o, strategy, space, seed, budget, budgetSeconds, searcherOptions, evaluatorName, outDir } = a;
  const options = recordOptions({ ...o, space: space.name, evaluator: evaluatorName }, BLACKBOX_RUN_OPTIONS);
  if (o.resume) checkResume(outDir, savedOptions(outDir), options, BLACKBOX_RUN_OPTIONS);
  if (o.maxLatency !== undefined && !o.latencyTable) throw new UsageError('--max-latency: needs --latency-table (the latencies the limit applies to)');
  if (o.maxLatency !== undefined && o.queue !== undefined) throw new UsageError('--max-latency: not with --queue yet (the queue coordinator asks the searcher itself)');
  const latency = o.latencyTable ? latencyModelFromTable(o.latencyTable, space.name, o.latencyDevice) : null;
  const start = () => startApiBackend(o.backend, log);
  let summary: RunSummary;
  if (o.queue !== undefined) {
    // Trials run on queue workers; the coordinator needs a backend only for its own model (predictor, nao).
    if (budgetSeconds !== undefined) throw new UsageError('--budget-seconds: not with --queue (the queue counts queries; use --budget)');
    if (data) throw new UsageError('data: in-memory images cannot be sent to queue workers; name a dataset the workers have');
    const backend = TF_SEARCHERS.includes(strategy) ? await start() : null;
    const { runQueuedSearch } = await import('../queue/coordinator');
    summary = await runQueuedSearch(argv, a, runRecord('search', options, backend));
  } else {
    const tableLookup = evaluatorName === 'nb201' || evaluatorName === 'nb101';
    const backend = TF_SEARCHERS.includes(strategy) || !tableLookup ? await start() : null;
    const evaluator = await buildBlackBoxEvaluator(a, data);
    const record: RunRecord = runRecord('search', options, backend);
    const wrapSearcher = latency && o.maxLatency !== undefined ? (s: Parameters<typeof constrainSearcher>[0]) => constrainSearcher(s, latency, o.maxLatency!) : undefined;
    summary = await runSearch({ strategy, space, evaluator, budget, budgetSeconds, seed, outDir, resume: o.resume, searcherOptions, quiet: false, report: o.report, record, wrapSearcher });
  }
  if (latency) {
    const front = writePareto(outDir, space, latency);
    summary = { ...summary, latency_ms: summary.genotype ? Number(latency(summary.genotype).toFixed(4)) : null, pareto_points: front.length };
  }
  return summary;
}
