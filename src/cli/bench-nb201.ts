import * as path from 'path';
import type { Argv, CommandModule } from 'yargs';
import { cliOptions, printJsonSummary } from './common';
import { addOptions } from './options';
import { benchNb201, BENCH_NB201_OPTIONS } from '../api/bench';

/** `tfnas bench nb201`: every black-box searcher over many seeds on the NAS-Bench-201 table. */
export const benchNb201Command: CommandModule = {
  command: 'nb201',
  describe: 'Black-box searchers on the NAS-Bench-201 table, mean ± std over seeds (e.g. tfnas bench nb201 --runs 20 --budget 150)',
  builder: (y: Argv) =>
    addOptions(y, BENCH_NB201_OPTIONS)
      .example('tfnas bench nb201 --runs 20 --budget 150', 'every searcher, 20 seeds, on the shipped table (about 4 minutes)')
      .example('tfnas bench nb201 --strategies random evolution --runs 5 --json', 'two searchers, JSON summary') as never,
  handler: async (argv) => {
    const r = await benchNb201(cliOptions(argv as Record<string, unknown>, BENCH_NB201_OPTIONS));
    console.log(r.text);
    console.log(`wrote ${path.join(r.out, 'table.csv')}, runs.csv, curves.csv`);
    if (argv.json) printJsonSummary({ dataset: r.dataset, runs: r.runs, budget: r.budget, optimum: r.optimum, table: r.table, out: r.out });
  },
};
