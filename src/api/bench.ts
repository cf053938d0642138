/**
 * The searcher benchmarks as library calls: `benchNb201(options)` (`tfnas bench nb201`) and
 * `benchNb101(options)` (`tfnas bench nb101`): every chosen black-box searcher over many seeds
 * on the benchmark's table, mean ± std of the final test accuracy; table.csv, runs.csv and
 * curves.csv in `out`. The result is the `--json` summary plus the table as text.
 */
import * as path from 'path';
import { SEARCHER_BENCH_OPTIONS } from '../cli/common';
import type { OptionSpecs } from '../cli/options';
import { withRunHooks } from '../io/run-hooks';
import { TF_SEARCHERS, type SearcherName } from '../search/blackbox/registry';
import { formatBenchTable, NB101_PAPER_150, NB201_PAPER_CIFAR10, runBench, type BenchRow } from '../search/bench';
import { loadNb101Table, Nb101Evaluator, NB101_SIGNALS, type Nb101Signal } from '../search/evaluators/nb101-evaluator';
import { loadNb201Table, Nb201Evaluator } from '../search/evaluators/registry';
import { NB201_DATASETS, type Nb201Dataset } from '../search/tables/nb201-table';
import { logOf, readApiOptions, startApiBackend, type ApiOptions, type RunControls } from './options';

/** Every option of `tfnas bench nb201` (see src/cli/options.ts). */
export const BENCH_NB201_OPTIONS = {
  ...SEARCHER_BENCH_OPTIONS,
  out: { ...SEARCHER_BENCH_OPTIONS.out, defaultDescription: 'results/bench/nb201/<dataset>/' },
  'nb201-dataset': {
    type: 'string', alias: 'dataset', default: 'cifar10', choices: [...NB201_DATASETS],
    describe: 'NAS-Bench-201 dataset whose 12-epoch validation accuracy is the signal (as search --nb201-dataset)',
  },
  table: { type: 'string', describe: 'NAS-Bench-201 table, CSV or .csv.gz', defaultDescription: 'the one shipped in the package' },
} as const satisfies OptionSpecs;

/** Every option of `tfnas bench nb101` (see src/cli/options.ts). */
export const BENCH_NB101_OPTIONS = {
  ...SEARCHER_BENCH_OPTIONS,
  out: { ...SEARCHER_BENCH_OPTIONS.out, defaultDescription: 'results/bench/nb101/' },
  table: { type: 'string', describe: 'the official TFRecord file', defaultDescription: 'data/nb101/nasbench_only108.tfrecord' },
  signal: {
    type: 'string', alias: 'nb101-signal', default: 'random-run', choices: [...NB101_SIGNALS],
    describe: 'validation accuracy of a random run (the official query) or the mean of the 3 runs',
  },
} as const satisfies OptionSpecs;

export interface BenchResult {
  runs: number;
  budget: number;
  /** The best test accuracy in the table (the ceiling). */
  optimum: number;
  table: BenchRow[];
  out: string;
  /** The table as printed, beside the paper's figures where they exist. */
  text: string;
  dataset?: string;
  signal?: string;
}

async function backendFor(strategies: string[], backend: string, log: (line: string) => void): Promise<void> {
  if (strategies.some((s) => TF_SEARCHERS.includes(s as SearcherName))) await startApiBackend(backend, log);
}

/** Every chosen searcher on the NAS-Bench-201 table (`tfnas bench nb201`). */
export async function benchNb201(options: ApiOptions<typeof BENCH_NB201_OPTIONS> & RunControls = {}): Promise<BenchResult> {
  const { values: a } = readApiOptions(options as Record<string, unknown>, BENCH_NB201_OPTIONS, 'bench nb201');
  const strategies = [...new Set(a.strategies)];
  const dataset = a.nb201Dataset as Nb201Dataset;
  const table = loadNb201Table(a.table);
  await backendFor(strategies, a.backend, logOf(options));
  const out = a.out ?? path.join('results', 'bench', 'nb201', dataset);
  const { rows } = await withRunHooks({ onProgress: options.onProgress, signal: options.signal }, () =>
    runBench({ strategies, runs: a.runs, budget: a.budget, seed: a.seed, space: 'nb201', newEvaluator: () => new Nb201Evaluator(table, dataset), outDir: out }),
  );
  const optimum = table.optimum(dataset).test200;
  const text = formatBenchTable(rows, dataset === 'cifar10' ? NB201_PAPER_CIFAR10 : {}, 'CIFAR-10', optimum);
  return { dataset, runs: a.runs, budget: a.budget, optimum, table: rows, out, text };
}

/** Every chosen searcher on the official NAS-Bench-101 file (`tfnas bench nb101`). */
export async function benchNb101(options: ApiOptions<typeof BENCH_NB101_OPTIONS> & RunControls = {}): Promise<BenchResult> {
  const { values: a } = readApiOptions(options as Record<string, unknown>, BENCH_NB101_OPTIONS, 'bench nb101');
  const strategies = [...new Set(a.strategies)];
  const table = loadNb101Table(a.table);
  await backendFor(strategies, a.backend, logOf(options));
  const out = a.out ?? path.join('results', 'bench', 'nb101');
  const signal = a.signal as Nb101Signal;
  const { rows } = await withRunHooks({ onProgress: options.onProgress, signal: options.signal }, () =>
    runBench({ strategies, runs: a.runs, budget: a.budget, seed: a.seed, space: 'nb101', newEvaluator: (s) => new Nb101Evaluator(table, signal, s), outDir: out }),
  );
  const optimum = table.optimumTest();
  const text = formatBenchTable(rows, a.budget === 150 ? NB101_PAPER_150 : {}, 'BANANAS paper, 150 queries', optimum);
  return { runs: a.runs, budget: a.budget, signal, optimum, table: rows, out, text };
}
