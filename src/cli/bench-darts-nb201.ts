import * as path from 'path';
import type { Argv, CommandModule } from 'yargs';
import { printJsonSummary, RUN_OPTIONS, startBackend } from './common';
import { addOptions, checks, readOptions, type OptionSpecs } from './options';
import { dataArgsOf, loadDatasetFromArgs } from '../data';
import { DARTS_DEFAULTS, DartsConfig, validateDartsConfig } from '../search/darts/config';
import { METHOD_NAMES, MethodName } from '../search/darts/methods';
import { formatDartsBench, runDartsBench } from '../search/darts/bench-methods';
import { loadNb201Table } from '../search/tables/nb201-table';

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

export const benchDartsNb201Command: CommandModule = {
  command: 'darts-nb201',
  describe: 'DARTS methods (darts, pc-darts, beta-darts, darts-minus, gdas) × seeds on the NAS-Bench-201 space, final cells scored by the table',
  builder: (y: Argv) =>
    addOptions(y, BENCH_DARTS_NB201_OPTIONS)
      .example('tfnas bench darts-nb201 --data-dir ../shared/data/cifar10-jpeg --train-limit 2000', 'the CPU budget (about two hours)')
      .example('tfnas bench darts-nb201 --full --backend tensorflow-gpu', 'the paper protocol on a GPU') as never,
  handler: async (argv) => {
    const a = readOptions(argv as Record<string, unknown>, BENCH_DARTS_NB201_OPTIONS, 'bench darts-nb201');
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
    const table = loadNb201Table(a.table);
    const backend = await startBackend(a.backend);
    const data = await loadDatasetFromArgs({ ...dataArgsOf(a), 'train-limit': a.trainLimit ?? (full ? undefined : DEFAULT_TRAIN_IMAGES) });
    const out = a.out ?? path.join('results', 'bench', 'darts-nb201');
    const seeds = Array.from({ length: a.runs }, (_, i) => a.seed + i);
    const rows = await runDartsBench({ methods: [...new Set(a.methods)] as MethodName[], seeds, base, out, backend }, data);
    console.log(formatDartsBench(rows, table.optimum('cifar10').test200));
    console.log(`wrote ${path.join(out, 'runs.csv')}, curves.csv (per epoch: test accuracy of the derived cell, skips), results.json`);
    if (a.json) printJsonSummary({ budget: { epochs: base.epochs, batch_size: base.batchSize, init_channels: base.initChannels, layers: base.layers, train_images: data.train.count }, table: rows, out });
  },
};
