import * as path from 'path';
import type { Argv, CommandModule } from 'yargs';
import { badArgument } from '../io/errors';
import { backendOption, printJsonSummary, startBackend } from './common';
import { loadNb201Table } from '../search/evaluators';
import { formatBenchTable, runNb201Bench } from '../search/nb201-bench';
import { NB201_DATASETS, type Nb201Dataset } from '../search/nb201-table';
import { SEARCHER_NAMES, TF_SEARCHERS, type SearcherName } from '../search/registry';

interface Args {
  strategies: string[];
  runs: number;
  budget: number;
  dataset: string;
  table?: string;
  seed: number;
  out?: string;
  json: boolean;
  backend: string;
}

function positive(name: string, v: number, min = 1): number {
  if (!Number.isInteger(v) || v < min) badArgument(name, `an integer ≥ ${min}`, v);
  return v;
}

/** `tfnas bench nb201`: every black-box searcher over many seeds on the NAS-Bench-201 table. */
export const benchNb201Command: CommandModule<object, Args> = {
  command: 'nb201',
  describe: 'Black-box searchers on the NAS-Bench-201 table, mean ± std over seeds (e.g. tfnas bench nb201 --runs 20 --budget 150)',
  builder: (y: Argv) =>
    backendOption(
      y
        .option('strategies', { type: 'string', array: true, default: [...SEARCHER_NAMES], choices: [...SEARCHER_NAMES], describe: 'searchers to run' })
        .option('runs', { type: 'number', default: 20, describe: 'runs (seeds) per strategy' })
        .option('budget', { type: 'number', default: 150, describe: 'table queries per run' })
        .option('dataset', { type: 'string', default: 'cifar10', choices: [...NB201_DATASETS], describe: 'dataset whose 12-epoch validation accuracy is the signal' })
        .option('table', { type: 'string', describe: 'NAS-Bench-201 table, CSV or .csv.gz (default: the one shipped in the package)' })
        .option('seed', { type: 'number', default: 0, describe: 'seed of the first run; run r uses seed + r' })
        .option('out', { type: 'string', describe: 'output folder (default results/bench/nb201/<dataset>/)' })
        .option('json', { type: 'boolean', default: false, describe: 'last stdout line: one JSON object with the table' })
        .example('tfnas bench nb201 --runs 20 --budget 150', 'every searcher, 20 seeds, on the shipped table (about 4 minutes)')
        .example('tfnas bench nb201 --strategies random evolution --runs 5 --json', 'two searchers, JSON summary'),
    ) as never,
  handler: async (argv) => {
    const runs = positive('runs', argv.runs);
    const budget = positive('budget', argv.budget);
    const seed = positive('seed', argv.seed, 0);
    const dataset = argv.dataset as Nb201Dataset;
    const strategies = [...new Set(argv.strategies.map(String))];
    const table = loadNb201Table(argv.table);
    if (strategies.some((s) => TF_SEARCHERS.includes(s as SearcherName))) await startBackend(argv.backend);
    const outDir = argv.out ?? path.join('results', 'bench', 'nb201', dataset);
    const { rows } = await runNb201Bench({ strategies, runs, budget, dataset, seed, table, outDir });
    const optimum = table.optimum(dataset).test200;
    console.log(formatBenchTable(rows, dataset, optimum));
    console.log(`wrote ${path.join(outDir, 'table.csv')}, runs.csv, curves.csv`);
    if (argv.json) printJsonSummary({ dataset, runs, budget, optimum, table: rows, out: outDir });
  },
};
