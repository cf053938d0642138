/**
 * `benchDartsNb201(options)`: what `tfnas bench darts-nb201` runs, as a library call: each DARTS
 * method × seed on the NAS-Bench-201 space, every final cell scored by the table (200-epoch
 * CIFAR-10 test accuracy); runs.csv, curves.csv and results.json in `out`. Re-running with the same
 * `out` continues an interrupted bench. The result is the `--json` summary plus the table as text.
 */
import * as path from 'path';
import { RUN_OPTIONS } from '../cli/common';
import { checks, type OptionSpecs } from '../cli/options';
import { withRunHooks } from '../io/run-hooks';
import { DARTS_DEFAULTS, type DartsConfig, validateDartsConfig } from '../search/darts/config';
import { METHOD_NAMES, type MethodName } from '../search/darts/methods';
import { formatDartsBench, runDartsBench, type MethodResult } from '../search/darts/bench-methods';
import { loadNb201Table } from '../search/tables/nb201-table';
import { dataOf } from './data';
import { logOf, readApiOptions, startApiBackend, type ApiOptions, type DataControls, type RunControls } from './options';

/**
 * The default budget fits about two hours on a 2-core CPU (wasm) for 5 methods × 3 seeds: C=8, one
 * cell per stage, 20 epochs on the first 5,000 CIFAR-10 training images (2,500 train α; a run
 * took about 6 minutes, see the README).
 * `--full` is the NAS-Bench-201 paper's protocol (C=16, N=5, 50 epochs, batch 64, the whole train
 * split) for a GPU box.
 */
export const BENCH_DARTS_NB201_OPTIONS = {
  methods: { type: 'strings', default: [...METHOD_NAMES], choices: [...METHOD_NAMES], describe: 'methods to run' },
  runs: { type: 'number', default: 3, check: checks.int(1), describe: 'seeds per method (seed, seed+1, …)' },
  seed: { type: 'number', default: 0, check: checks.int(0), describe: 'first seed' },
  epochs: { type: 'number', default: 20, check: checks.int(1), describe: 'search epochs per run', defaultDescription: '20 (--full: 50)' },
  'batch-size': { type: 'number', default: 64, check: checks.int(1), describe: 'batch size of every method (one data budget for all)' },
  'init-channels': { type: 'number', default: 8, check: checks.int(1), describe: 'C of the supernet', defaultDescription: '8 (--full: 16)' },
  layers: { type: 'number', default: 1, check: checks.int(1), describe: 'cells per stage', defaultDescription: '1 (--full: 5)' },
  full: { type: 'boolean', default: false, describe: 'the NAS-Bench-201 protocol: C=16, N=5, 50 epochs, the whole train split (a GPU box: days on a CPU)' },
  table: { type: 'string', describe: 'NAS-Bench-201 table, CSV or .csv.gz', defaultDescription: 'the one shipped in the package' },
  out: { type: 'string', describe: 'bench folder (re-run the same command to continue an interrupted bench)', defaultDescription: 'results/bench/darts-nb201/' },
  ...RUN_OPTIONS,
} as const satisfies OptionSpecs;

/** The CPU budget's training images (--train-limit unless given; --full: all). */
const DEFAULT_TRAIN_IMAGES = 5000;

export type BenchDartsNb201Options = ApiOptions<typeof BENCH_DARTS_NB201_OPTIONS> & RunControls & DataControls;

export interface BenchDartsNb201Result {
  /** What every run got: epochs, batch size, C, cells per stage, training images. */
  budget: { epochs: number; batchSize: number; initChannels: number; layers: number; trainImages: number };
  /** Per method: mean ± std of the final cells' test accuracy (%), skips, seconds per run, the published figure. */
  table: MethodResult[];
  out: string;
  /** The Markdown table printed (with the table's optimum). */
  text: string;
}

/** The search settings every run shares: the CPU budget, or with `full` the paper's where not given. */
function baseConfig(a: ReturnType<typeof readApiOptions<typeof BENCH_DARTS_NB201_OPTIONS>>['values']): DartsConfig {
  const full = a.full;
  const base: DartsConfig = {
    ...DARTS_DEFAULTS,
    space: 'nb201',
    dataset: a.dataset,
    seed: a.seed,
    epochs: full && !a.given.epochs ? 50 : a.epochs,
    batchSize: a.batchSize,
    layers: full && !a.given.layers ? 5 : a.layers,
    initChannels: full && !a.given['init-channels'] ? 16 : a.initChannels,
    table: a.table ?? null,
  };
  validateDartsConfig(base);
  return base;
}

/** Runs (or continues) the bench; see the module comment. */
export async function benchDartsNb201(options: BenchDartsNb201Options = {}): Promise<BenchDartsNb201Result> {
  const { values: a } = readApiOptions(options as Record<string, unknown>, BENCH_DARTS_NB201_OPTIONS, 'bench darts-nb201');
  const base = baseConfig(a);
  const table = loadNb201Table(a.table);
  const log = logOf(options);
  const backend = await startApiBackend(a.backend, log);
  const data = await dataOf(options.data, { ...a, trainLimit: a.trainLimit ?? (a.full ? undefined : DEFAULT_TRAIN_IMAGES) }, log);
  const out = a.out ?? path.join('results', 'bench', 'darts-nb201');
  const seeds = Array.from({ length: a.runs }, (_, i) => a.seed + i);
  const methods = [...new Set(a.methods)] as MethodName[];
  if (options.data) base.dataset = data.name;
  const rows = await withRunHooks({ onProgress: options.onProgress, signal: options.signal }, () => runDartsBench({ methods, seeds, base, out, backend, log }, data));
  const budget = { epochs: base.epochs, batchSize: base.batchSize, initChannels: base.initChannels, layers: base.layers, trainImages: data.train.count };
  return { budget, table: rows, out, text: formatDartsBench(rows, table.optimum('cifar10').test200) };
}
