import type { Argv, CommandModule } from 'yargs';
import { runDartsSearch } from './search-darts';
import { runBlackBoxSearch } from './search-blackbox';
import { SEARCH_OPTIONS } from '../search/search-options';
import { UsageError } from '../io/errors';
import { addOptions, readOptions } from './options';

/**
 * `tfnas search`: DARTS (the default strategy) or one of the black-box searchers. The options are
 * one spec (search/search-options.ts); each strategy family has its runner; this module routes.
 */
export const searchCommand: CommandModule = {
  command: 'search',
  describe: 'Search for a cell: DARTS or random/evolution/genetic/predictor/nao (e.g. tfnas search --space nb201 --strategy evolution --budget 50)',
  builder: (y: Argv) =>
    addOptions(y, SEARCH_OPTIONS)
      .example('tfnas search --space nb201 --strategy evolution --budget 50', 'regularized evolution on the shipped NAS-Bench-201 table (seconds)')
      .example('tfnas search --dataset cifar10 --layers 5 --init-channels 8 --batch-size 16 --epochs 2 --train-limit 512', 'a DARTS smoke run (minutes)')
      .example('tfnas search --dataset cifar10', 'the paper\'s DARTS search (about 4 days on a 2-core CPU)')
      .example('tfnas search --config results/search/darts/cifar10/seed-0/config.json --out again', 'repeat a run') as never,
  handler: async (argv) => {
    // Read through the spec, so that a --config file can choose the strategy too.
    const { strategy, queue } = readOptions(argv as Record<string, unknown>, SEARCH_OPTIONS, 'search');
    if (strategy === 'darts' && queue !== undefined) {
      throw new UsageError('--queue: only the black-box strategies send their trials to a queue; run a whole DARTS search on a worker with `tfnas queue submit`');
    }
    if (strategy === 'darts') await runDartsSearch(argv as Record<string, unknown>);
    else await runBlackBoxSearch(argv as Record<string, unknown>);
  },
};
