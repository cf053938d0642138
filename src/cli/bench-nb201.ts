import * as path from 'path';
import type { Argv, CommandModule } from 'yargs';
import { printJsonSummary, SEARCHER_BENCH_OPTIONS, startBackendFor } from './common';
import { addOptions, readOptions, type OptionSpecs } from './options';
import { loadNb201Table, Nb201Evaluator } from '../search/evaluators/registry';
import { formatBenchTable, NB201_PAPER_CIFAR10, runBench } from '../search/bench';
import { NB201_DATASETS, type Nb201Dataset } from '../search/tables/nb201-table';

/** Every option of `tfnas bench nb201` (see options.ts). */
export const BENCH_NB201_OPTIONS = {
  ...SEARCHER_BENCH_OPTIONS,
  out: { ...SEARCHER_BENCH_OPTIONS.out, defaultDescription: 'results/bench/nb201/<dataset>/' },
  'nb201-dataset': {
    type: 'string', alias: 'dataset', default: 'cifar10', choices: [...NB201_DATASETS],
    describe: 'NAS-Bench-201 dataset whose 12-epoch validation accuracy is the signal (as search --nb201-dataset)',
  },
  table: { type: 'string', describe: 'NAS-Bench-201 table, CSV or .csv.gz', defaultDescription: 'the one shipped in the package' },
} as const satisfies OptionSpecs;

/** `tfnas bench nb201`: every black-box searcher over many seeds on the NAS-Bench-201 table. */
export const benchNb201Command: CommandModule = {
  command: 'nb201',
  describe: 'Black-box searchers on the NAS-Bench-201 table, mean ± std over seeds (e.g. tfnas bench nb201 --runs 20 --budget 150)',
  builder: (y: Argv) =>
    addOptions(y, BENCH_NB201_OPTIONS)
      .example('tfnas bench nb201 --runs 20 --budget 150', 'every searcher, 20 seeds, on the shipped table (about 4 minutes)')
      .example('tfnas bench nb201 --strategies random evolution --runs 5 --json', 'two searchers, JSON summary') as never,
  handler: async (argv) => {
    const a = readOptions(argv as Record<string, unknown>, BENCH_NB201_OPTIONS, 'bench nb201');
    const { runs, budget, seed } = a;
    const strategies = [...new Set(a.strategies)];
    const dataset = a.nb201Dataset as Nb201Dataset;
    const table = loadNb201Table(a.table);
    await startBackendFor(strategies, a.backend);
    const outDir = a.out ?? path.join('results', 'bench', 'nb201', dataset);
    const { rows } = await runBench({ strategies, runs, budget, seed, space: 'nb201', newEvaluator: () => new Nb201Evaluator(table, dataset), outDir });
    const optimum = table.optimum(dataset).test200;
    console.log(formatBenchTable(rows, dataset === 'cifar10' ? NB201_PAPER_CIFAR10 : {}, 'CIFAR-10', optimum));
    console.log(`wrote ${path.join(outDir, 'table.csv')}, runs.csv, curves.csv`);
    if (a.json) printJsonSummary({ dataset, runs, budget, optimum, table: rows, out: outDir });
  },
};
