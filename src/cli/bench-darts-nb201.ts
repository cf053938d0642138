import * as path from 'path';
import type { Argv, CommandModule } from 'yargs';
import { benchDartsNb201, BENCH_DARTS_NB201_OPTIONS } from '../api/bench-darts-nb201';
import { cliOptions, printJsonSummary } from './common';
import { addOptions } from './options';

/** `tfnas bench darts-nb201`: DARTS methods × seeds on the NAS-Bench-201 space (the library's `benchDartsNb201`). */
export const benchDartsNb201Command: CommandModule = {
  command: 'darts-nb201',
  describe: 'DARTS methods (darts, pc-darts, beta-darts, darts-minus, gdas) × seeds on the NAS-Bench-201 space, final cells scored by the table',
  builder: (y: Argv) =>
    addOptions(y, BENCH_DARTS_NB201_OPTIONS)
      .example('tfnas bench darts-nb201 --data-dir ../shared/data/cifar10-jpeg --train-limit 2000', 'the CPU budget (about two hours)')
      .example('tfnas bench darts-nb201 --full --backend tensorflow-gpu', 'the paper protocol on a GPU') as never,
  handler: async (argv) => {
    const r = await benchDartsNb201(cliOptions(argv as Record<string, unknown>, BENCH_DARTS_NB201_OPTIONS));
    console.log(r.text);
    console.log(`wrote ${path.join(r.out, 'runs.csv')}, curves.csv (per epoch: test accuracy of the derived cell, skips), results.json`);
    if (argv.json) printJsonSummary({ budget: r.budget, table: r.table, out: r.out });
  },
};
