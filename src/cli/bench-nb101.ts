import * as path from 'path';
import type { Argv, CommandModule } from 'yargs';
import { cliOptions, printJsonSummary } from './common';
import { addOptions } from './options';
import { benchNb101, BENCH_NB101_OPTIONS } from '../api/bench';

/** `tfnas bench nb101`: every black-box searcher over many seeds on the official NAS-Bench-101 file. */
export const benchNb101Command: CommandModule = {
  command: 'nb101',
  describe: 'Black-box searchers on NAS-Bench-101 (official file), mean ± std over seeds (e.g. tfnas bench nb101 --runs 20 --budget 150)',
  builder: (y: Argv) =>
    addOptions(y, BENCH_NB101_OPTIONS)
      .example('tfnas bench nb101 --runs 20 --budget 150', 'every searcher, 20 seeds, on data/nb101/nasbench_only108.tfrecord')
      .example('tfnas bench nb101 --strategies random evolution predictor --signal mean --json', 'three searchers on the mean validation accuracy, JSON summary') as never,
  handler: async (argv) => {
    const r = await benchNb101(cliOptions(argv as Record<string, unknown>, BENCH_NB101_OPTIONS));
    console.log(r.text);
    console.log(`wrote ${path.join(r.out, 'table.csv')}, runs.csv, curves.csv`);
    if (argv.json) printJsonSummary({ runs: r.runs, budget: r.budget, signal: r.signal, optimum: r.optimum, table: r.table, out: r.out });
  },
};
