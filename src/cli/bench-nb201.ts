import * as path from 'path';
import type { Argv, CommandModule } from 'yargs';
import { BACKEND_OPTION, JSON_OPTION, printJsonSummary, startBackend } from './common';
import { addOptions, checks, CONFIG_OPTION, readOptions, type OptionSpecs } from './options';
import { loadNb201Table } from '../search/evaluators';
import { formatBenchTable, runNb201Bench } from '../search/nb201-bench';
import { NB201_DATASETS, type Nb201Dataset } from '../search/nb201-table';
import { SEARCHER_NAMES, TF_SEARCHERS, type SearcherName } from '../search/registry';

/** Every option of `tfnas bench nb201` (see options.ts). */
export const BENCH_NB201_OPTIONS = {
  strategies: { type: 'strings', default: [...SEARCHER_NAMES], choices: [...SEARCHER_NAMES], describe: 'searchers to run' },
  runs: { type: 'number', default: 20, check: checks.int(1), describe: 'runs (seeds) per strategy' },
  budget: { type: 'number', default: 150, check: checks.int(1), describe: 'table queries per run' },
  'nb201-dataset': {
    type: 'string', alias: 'dataset', default: 'cifar10', choices: [...NB201_DATASETS],
    describe: 'NAS-Bench-201 dataset whose 12-epoch validation accuracy is the signal (as search --nb201-dataset)',
  },
  table: { type: 'string', describe: 'NAS-Bench-201 table, CSV or .csv.gz', defaultDescription: 'the one shipped in the package' },
  seed: { type: 'number', default: 0, check: checks.int(0), describe: 'seed of the first run; run r uses seed + r' },
  out: { type: 'string', describe: 'output folder', defaultDescription: 'results/bench/nb201/<dataset>/' },
  ...JSON_OPTION,
  ...BACKEND_OPTION,
  ...CONFIG_OPTION,
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
    const dataset = a.nb201Dataset as Nb201Dataset;
    const strategies = [...new Set(a.strategies)];
    const table = loadNb201Table(a.table);
    if (strategies.some((s) => TF_SEARCHERS.includes(s as SearcherName))) await startBackend(a.backend);
    const outDir = a.out ?? path.join('results', 'bench', 'nb201', dataset);
    const { rows } = await runNb201Bench({ strategies, runs: a.runs, budget: a.budget, dataset, seed: a.seed, table, outDir });
    const optimum = table.optimum(dataset).test200;
    console.log(formatBenchTable(rows, dataset, optimum));
    console.log(`wrote ${path.join(outDir, 'table.csv')}, runs.csv, curves.csv`);
    if (a.json) printJsonSummary({ dataset, runs: a.runs, budget: a.budget, optimum, table: rows, out: outDir });
  },
};
