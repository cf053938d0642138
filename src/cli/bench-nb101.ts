import * as path from 'path';
import type { Argv, CommandModule } from 'yargs';
import { badArgument } from '../io/errors';
import { backendOption, printJsonSummary, startBackend } from './common';
import { formatBenchTable, NB101_PAPER_150, runBench } from '../search/bench';
import { loadNb101Table, Nb101Evaluator, NB101_SIGNALS, type Nb101Signal } from '../search/nb101-evaluator';
import { SEARCHER_NAMES, TF_SEARCHERS, type SearcherName } from '../search/registry';

interface Args {
  strategies: string[];
  runs: number;
  budget: number;
  table?: string;
  signal: string;
  seed: number;
  out?: string;
  json: boolean;
  backend: string;
}

function positive(name: string, v: number, min = 1): number {
  if (!Number.isInteger(v) || v < min) badArgument(name, `an integer ≥ ${min}`, v);
  return v;
}

/** `tfnas bench nb101`: every black-box searcher over many seeds on the official NAS-Bench-101 file. */
export const benchNb101Command: CommandModule<object, Args> = {
  command: 'nb101',
  describe: 'Black-box searchers on NAS-Bench-101 (official file), mean ± std over seeds (e.g. tfnas bench nb101 --runs 20 --budget 150)',
  builder: (y: Argv) =>
    backendOption(
      y
        .option('strategies', { type: 'string', array: true, default: [...SEARCHER_NAMES], choices: [...SEARCHER_NAMES], describe: 'searchers to run' })
        .option('runs', { type: 'number', default: 20, describe: 'runs (seeds) per strategy' })
        .option('budget', { type: 'number', default: 150, describe: 'table queries per run' })
        .option('table', { type: 'string', describe: 'the official TFRecord file (default data/nb101/nasbench_only108.tfrecord)' })
        .option('signal', { type: 'string', default: 'random-run', choices: [...NB101_SIGNALS], describe: 'validation accuracy of a random run (the official query) or the mean of the 3 runs' })
        .option('seed', { type: 'number', default: 0, describe: 'seed of the first run; run r uses seed + r' })
        .option('out', { type: 'string', describe: 'output folder (default results/bench/nb101/)' })
        .option('json', { type: 'boolean', default: false, describe: 'last stdout line: one JSON object with the table' }),
    ) as never,
  handler: async (argv) => {
    const runs = positive('runs', argv.runs);
    const budget = positive('budget', argv.budget);
    const seed = positive('seed', argv.seed, 0);
    const strategies = [...new Set(argv.strategies.map(String))];
    const table = loadNb101Table(argv.table);
    if (strategies.some((s) => TF_SEARCHERS.includes(s as SearcherName))) await startBackend(argv.backend);
    const outDir = argv.out ?? path.join('results', 'bench', 'nb101');
    const signal = argv.signal as Nb101Signal;
    const { rows } = await runBench({ strategies, runs, budget, seed, space: 'nb101', newEvaluator: (s) => new Nb101Evaluator(table, signal, s), outDir });
    const optimum = table.optimumTest();
    console.log(formatBenchTable(rows, budget === 150 ? NB101_PAPER_150 : {}, 'BANANAS paper, 150 queries', optimum));
    console.log(`wrote ${path.join(outDir, 'table.csv')}, runs.csv, curves.csv`);
    if (argv.json) printJsonSummary({ runs, budget, signal, optimum, table: rows, out: outDir });
  },
};
