import * as path from 'path';
import type { Argv, CommandModule } from 'yargs';
import { printJsonSummary, searcherBenchArgs, searcherBenchOptions, type SearcherBenchArgs } from './common';
import { formatBenchTable, NB101_PAPER_150, runBench } from '../search/bench';
import { loadNb101Table, Nb101Evaluator, NB101_SIGNALS, type Nb101Signal } from '../search/nb101-evaluator';

interface Args extends SearcherBenchArgs {
  table?: string;
  signal: string;
}

/** `tfnas bench nb101`: every black-box searcher over many seeds on the official NAS-Bench-101 file. */
export const benchNb101Command: CommandModule<object, Args> = {
  command: 'nb101',
  describe: 'Black-box searchers on NAS-Bench-101 (official file), mean ± std over seeds (e.g. tfnas bench nb101 --runs 20 --budget 150)',
  builder: (y: Argv) =>
    searcherBenchOptions(
      y
        .option('table', { type: 'string', describe: 'the official TFRecord file (default data/nb101/nasbench_only108.tfrecord)' })
        .option('signal', { type: 'string', alias: 'nb101-signal', default: 'random-run', choices: [...NB101_SIGNALS], describe: 'validation accuracy of a random run (the official query) or the mean of the 3 runs' })
        .example('tfnas bench nb101 --runs 20 --budget 150', 'every searcher, 20 seeds, on data/nb101/nasbench_only108.tfrecord')
        .example('tfnas bench nb101 --strategies random evolution predictor --signal mean --json', 'three searchers on the mean validation accuracy, JSON summary'),
      'results/bench/nb101/',
    ) as never,
  handler: async (argv) => {
    const { strategies, runs, budget, seed, startBackend } = searcherBenchArgs(argv);
    const table = loadNb101Table(argv.table);
    await startBackend();
    const outDir = argv.out ?? path.join('results', 'bench', 'nb101');
    const signal = argv.signal as Nb101Signal;
    const { rows } = await runBench({ strategies, runs, budget, seed, space: 'nb101', newEvaluator: (s) => new Nb101Evaluator(table, signal, s), outDir });
    const optimum = table.optimumTest();
    console.log(formatBenchTable(rows, budget === 150 ? NB101_PAPER_150 : {}, 'BANANAS paper, 150 queries', optimum));
    console.log(`wrote ${path.join(outDir, 'table.csv')}, runs.csv, curves.csv`);
    if (argv.json) printJsonSummary({ runs, budget, signal, optimum, table: rows, out: outDir });
  },
};
