/**
 * `tfnas search --strategy random|evolution|genetic|predictor|nao`: the black-box searchers' own
 * options and runner. `--strategy`, `--space`, `--seed`, `--out`, `--json`, `--backend` and
 * `--resume` are shared with DARTS and defined in darts-cli.ts (whose `--strategy` choices are
 * BLACKBOX_STRATEGIES plus `darts`).
 */
import * as path from 'path';
import type { Argv } from 'yargs';
import { badArgument, UsageError } from '../io/errors';
import { printJsonSummary, startBackend } from '../cli/common';
import { getSpace, SPACE_NAMES, type SpaceName } from '../space/spaces';
import { EVALUATORS, EVALUATOR_NAMES, loadNb201Table, makeEvaluator, withNb201TestAccuracy } from './evaluators';
import { checkNb201Dataset, nb201DatasetFrom, NB201_DATASETS } from './nb201-table';
import { SEARCHER_CLI_OPTIONS, SEARCHER_NAMES, TF_SEARCHERS, type SearcherName } from './registry';
import { runSearch } from './run';

/** The black-box strategy names (the registry's), for darts-cli's `--strategy` choices. */
export const BLACKBOX_STRATEGIES: readonly string[] = SEARCHER_NAMES;

export function addBlackBoxOptions<T>(y: Argv<T>): Argv<T> {
  return y
    .option('evaluator', {
      type: 'string',
      choices: EVALUATOR_NAMES,
      describe: 'black-box searchers: how a candidate is scored: nb201 = NAS-Bench-201 table look-up (--space nb201), train = brief training on a held-out split (--space darts), supernet = shared weights of a tfnas search run (--supernet); default: the first that supports --space',
      group: 'Black-box search:',
    })
    .option('table', {
      type: 'string',
      describe: 'NAS-Bench-201 table (CSV or .csv.gz; default: the one shipped in the package): the nb201 evaluator\'s data; with other evaluators on --space nb201, reports each cell\'s benchmark test accuracy',
      group: 'Black-box search:',
    })
    .option('budget', { type: 'number', default: 150, describe: 'black-box searchers: number of evaluator queries', group: 'Black-box search:' })
    .option('nb201-dataset', {
      type: 'string',
      choices: NB201_DATASETS as unknown as string[],
      describe: 'NAS-Bench-201 dataset whose 12-epoch validation accuracy is the signal (default: --dataset if it is one of these, else cifar10)',
      group: 'Black-box search:',
    })
    .option('population', { type: 'number', describe: 'evolution (default 10) / genetic (default 20): population size', group: 'Black-box search:' })
    .option('tournament', { type: 'number', describe: 'evolution (default 3) / genetic (default 3): tournament sample size', group: 'Black-box search:' })
    .option('init', { type: 'number', describe: 'predictor/nao: random architectures before the first model (default 10)', group: 'Black-box search:' })
    .option('batch', { type: 'number', describe: 'predictor/nao: architectures evaluated per model update (default 10)', group: 'Black-box search:' })
    .option('train-epochs', { type: 'number', describe: 'train evaluator: epochs per candidate (default 10)', group: 'Black-box search:' })
    .option('train-channels', { type: 'number', describe: 'train evaluator: initial channels C of the candidate network (default 16)', group: 'Black-box search:' })
    .option('train-layers', { type: 'number', describe: 'train evaluator: cells of the candidate network (default 8)', group: 'Black-box search:' })
    .option('train-batch-size', { type: 'number', describe: 'train evaluator: batch size (default 64)', group: 'Black-box search:' })
    .option('supernet', { type: 'string', describe: 'supernet evaluator: run folder of a `tfnas search` (DARTS) run whose weights score candidates', group: 'Black-box search:' })
    .option('supernet-valid-limit', { type: 'number', describe: 'supernet evaluator: held-out images scored per candidate (default 1000)', group: 'Black-box search:' })
    .option('model-steps', { type: 'number', describe: 'predictor/nao: Adam steps per model fit (default 100 / 150)', group: 'Black-box search:' }) as Argv<T>;
}

function positiveInt(name: string, v: unknown, min = 1): number | undefined {
  if (v === undefined) return undefined;
  // yargs turns a non-numeric value into NaN, which JSON would print as "null".
  if (typeof v === 'number' && Number.isNaN(v)) throw new UsageError(`--${name}: expected an integer ≥ ${min}, got a value that is not a number`);
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) badArgument(name, `an integer ≥ ${min}`, v);
  return v;
}

/** Rejects searcher options the chosen strategy does not read (silently ignoring them would mislead). */
function checkStrategyOptions(argv: Record<string, unknown>, strategy: SearcherName): void {
  const all = [...new Set(Object.values(SEARCHER_CLI_OPTIONS).flat())];
  for (const opt of all) {
    if (argv[opt] === undefined || SEARCHER_CLI_OPTIONS[strategy].includes(opt)) continue;
    const users = SEARCHER_NAMES.filter((n) => SEARCHER_CLI_OPTIONS[n].includes(opt));
    throw new UsageError(`--${opt}: not used by --strategy ${strategy}; it is an option of ${users.join(', ')}`);
  }
}

function pickEvaluator(argv: Record<string, unknown>, space: SpaceName): string {
  if (argv.evaluator !== undefined) return String(argv.evaluator);
  const fit = EVALUATOR_NAMES.find((n) => EVALUATORS[n].spaces.includes(space));
  if (!fit) {
    const have = EVALUATOR_NAMES.map((n) => `${n} (--space ${EVALUATORS[n].spaces.join('|')})`).join(', ');
    throw new UsageError(`--space ${space}: no black-box evaluator supports this space yet; available: ${have}`);
  }
  return fit;
}

/** Checks the command line before anything starts (backend, table, run folder). */
function parseArgs(argv: Record<string, unknown>) {
  // yargs collects a repeated option into an array; which value was meant is unclear.
  const repeated = Object.keys(argv).find((k) => k !== '_' && !/[A-Z]/.test(k) && Array.isArray(argv[k]));
  if (repeated) throw new UsageError(`--${repeated}: given ${(argv[repeated] as unknown[]).length} times; expected it once`);
  const strategy = String(argv.strategy);
  if (!(SEARCHER_NAMES as string[]).includes(strategy)) badArgument('strategy', [...SEARCHER_NAMES, 'darts'].join('|'), strategy);
  const spaceName = String(argv.space ?? 'nb201');
  if (!(SPACE_NAMES as string[]).includes(spaceName)) badArgument('space', SPACE_NAMES.join('|'), spaceName);
  checkStrategyOptions(argv, strategy as SearcherName);
  if (argv['dry-run']) throw new UsageError(`--dry-run: only --strategy darts has a supernet to build; ${strategy} has nothing to dry-run`);
  const searcherOptions = Object.fromEntries(
    ([['population', 'population'], ['tournament', 'tournament'], ['init', 'init'], ['batch', 'batch'], ['steps', 'model-steps']] as const)
      .map(([k, opt]) => [k, positiveInt(opt, argv[opt])] as const)
      .filter(([, v]) => v !== undefined),
  );
  return {
    strategy: strategy as SearcherName,
    space: getSpace(spaceName),
    seed: positiveInt('seed', argv.seed ?? 0, 0)!,
    budget: positiveInt('budget', argv.budget ?? 150)!,
    dataset: checkNb201Dataset(String(argv['nb201-dataset'] ?? nb201DatasetFrom(argv.dataset))),
    searcherOptions,
  };
}

export async function runBlackBoxSearch(argv: Record<string, unknown>): Promise<void> {
  const { strategy, space, seed, budget, dataset, searcherOptions } = parseArgs(argv);
  const evaluatorName = pickEvaluator(argv, space.name);
  // Checked before the backend starts (makeEvaluator checks it again, for library callers).
  const entry = EVALUATORS[evaluatorName];
  if (entry && !entry.spaces.includes(space.name)) throw new UsageError(`--evaluator ${evaluatorName} works on --space ${entry.spaces.join('|')}, not ${space.name}`);
  if (TF_SEARCHERS.includes(strategy) || evaluatorName !== 'nb201') await startBackend(String(argv.backend ?? 'auto'));
  const dataName = evaluatorName === 'nb201' ? dataset : String(argv.dataset ?? 'cifar10');
  const outDir = argv.out ? String(argv.out) : path.join('results', 'search', space.name, dataName, `${strategy}-seed-${seed}`);
  let evaluator = await makeEvaluator(evaluatorName, { space: space.name, table: argv.table as string | undefined, dataset, runDir: outDir, seed, argv });
  if (space.name === 'nb201' && evaluatorName !== 'nb201' && argv.table) evaluator = withNb201TestAccuracy(evaluator, loadNb201Table(String(argv.table)), dataset);
  const summary = await runSearch({ strategy, space, evaluator, budget, seed, outDir, resume: Boolean(argv.resume), searcherOptions, quiet: false });
  if (argv.json) {
    printJsonSummary(summary);
    return;
  }
  console.log(`best ${summary.best} (signal ${summary.signal}${summary.test_accuracy !== null ? `, test accuracy ${summary.test_accuracy}` : ''})`);
  console.log(`run folder ${outDir}`);
}
