import * as path from 'path';
import type { Argv, CommandModule } from 'yargs';
import { printJsonSummary, searcherBenchArgs, searcherBenchOptions, type SearcherBenchArgs } from './common';
import { loadNb201Table, Nb201Evaluator } from '../search/evaluators';
import { formatBenchTable, NB201_PAPER_CIFAR10, runBench } from '../search/bench';
import { NB201_DATASETS, type Nb201Dataset } from '../search/nb201-table';

interface Args extends SearcherBenchArgs {
  dataset: string;
  table?: string;
}

/** `tfnas bench nb201`: every black-box searcher over many seeds on the NAS-Bench-201 table. */
export const benchNb201Command: CommandModule<object, Args> = {
  command: 'nb201',
  describe: 'Black-box searchers on the NAS-Bench-201 table, mean ± std over seeds (e.g. tfnas bench nb201 --runs 20 --budget 150)',
  builder: (y: Argv) =>
    searcherBenchOptions(
      y
        .option('dataset', { type: 'string', default: 'cifar10', choices: [...NB201_DATASETS], describe: 'dataset whose 12-epoch validation accuracy is the signal' })
        .option('table', { type: 'string', describe: 'NAS-Bench-201 table, CSV or .csv.gz (default: the one shipped in the package)' })
        .example('tfnas bench nb201 --runs 20 --budget 150', 'every searcher, 20 seeds, on the shipped table (about 4 minutes)')
        .example('tfnas bench nb201 --strategies random evolution --runs 5 --json', 'two searchers, JSON summary'),
      'results/bench/nb201/<dataset>/',
    ) as never,
  handler: async (argv) => {
    const { strategies, runs, budget, seed, startBackend } = searcherBenchArgs(argv);
    const dataset = argv.dataset as Nb201Dataset;
    const table = loadNb201Table(argv.table);
    await startBackend();
    const outDir = argv.out ?? path.join('results', 'bench', 'nb201', dataset);
    const { rows } = await runBench({ strategies, runs, budget, seed, space: 'nb201', newEvaluator: () => new Nb201Evaluator(table, dataset), outDir });
    const optimum = table.optimum(dataset).test200;
    console.log(formatBenchTable(rows, dataset === 'cifar10' ? NB201_PAPER_CIFAR10 : {}, 'CIFAR-10', optimum));
    console.log(`wrote ${path.join(outDir, 'table.csv')}, runs.csv, curves.csv`);
    if (argv.json) printJsonSummary({ dataset, runs, budget, optimum, table: rows, out: outDir });
  },
};
