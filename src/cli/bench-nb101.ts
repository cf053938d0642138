import * as path from 'path';
import type { Argv, CommandModule } from 'yargs';
import { printJsonSummary, SEARCHER_BENCH_OPTIONS, startBackendFor } from './common';
import { addOptions, readOptions, type OptionSpecs } from './options';
import { formatBenchTable, NB101_PAPER_150, runBench } from '../search/bench';
import { loadNb101Table, Nb101Evaluator, NB101_SIGNALS, type Nb101Signal } from '../search/evaluators/nb101-evaluator';

/** Every option of `tfnas bench nb101` (see options.ts). */
export const BENCH_NB101_OPTIONS = {
  ...SEARCHER_BENCH_OPTIONS,
  out: { ...SEARCHER_BENCH_OPTIONS.out, defaultDescription: 'results/bench/nb101/' },
  table: { type: 'string', describe: 'the official TFRecord file', defaultDescription: 'data/nb101/nasbench_only108.tfrecord' },
  signal: {
    type: 'string', alias: 'nb101-signal', default: 'random-run', choices: [...NB101_SIGNALS],
    describe: 'validation accuracy of a random run (the official query) or the mean of the 3 runs',
  },
} as const satisfies OptionSpecs;

/** `tfnas bench nb101`: every black-box searcher over many seeds on the official NAS-Bench-101 file. */
export const benchNb101Command: CommandModule = {
  command: 'nb101',
  describe: 'Black-box searchers on NAS-Bench-101 (official file), mean ± std over seeds (e.g. tfnas bench nb101 --runs 20 --budget 150)',
  builder: (y: Argv) =>
    addOptions(y, BENCH_NB101_OPTIONS)
      .example('tfnas bench nb101 --runs 20 --budget 150', 'every searcher, 20 seeds, on data/nb101/nasbench_only108.tfrecord')
      .example('tfnas bench nb101 --strategies random evolution predictor --signal mean --json', 'three searchers on the mean validation accuracy, JSON summary') as never,
  handler: async (argv) => {
    const a = readOptions(argv as Record<string, unknown>, BENCH_NB101_OPTIONS, 'bench nb101');
    const { runs, budget, seed } = a;
    const strategies = [...new Set(a.strategies)];
    const table = loadNb101Table(a.table);
    await startBackendFor(strategies, a.backend);
    const outDir = a.out ?? path.join('results', 'bench', 'nb101');
    const signal = a.signal as Nb101Signal;
    const { rows } = await runBench({ strategies, runs, budget, seed, space: 'nb101', newEvaluator: (s) => new Nb101Evaluator(table, signal, s), outDir });
    const optimum = table.optimumTest();
    console.log(formatBenchTable(rows, budget === 150 ? NB101_PAPER_150 : {}, 'BANANAS paper, 150 queries', optimum));
    console.log(`wrote ${path.join(outDir, 'table.csv')}, runs.csv, curves.csv`);
    if (a.json) printJsonSummary({ runs, budget, signal, optimum, table: rows, out: outDir });
  },
};
