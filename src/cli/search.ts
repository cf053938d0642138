import type { Argv, CommandModule } from 'yargs';
import { addDartsSearchOptions, runDartsSearch } from '../search/darts-cli';
import { addBlackBoxOptions, runBlackBoxSearch } from '../search/blackbox-cli';
import { UsageError } from '../io/errors';

/**
 * `tfnas search`: DARTS (the default strategy) or one of the black-box searchers. Each strategy
 * family owns its options and runner; this module only routes.
 */
export const searchCommand: CommandModule = {
  command: 'search',
  describe: 'Search for a cell: DARTS or random/evolution/genetic/predictor/nao (e.g. tfnas search --dataset cifar10 --epochs 50)',
  builder: (y: Argv) => addBlackBoxOptions(addDartsSearchOptions(y)) as never,
  handler: async (argv) => {
    const strategy = String((argv as Record<string, unknown>).strategy ?? 'darts');
    if (strategy === 'darts' && (argv as Record<string, unknown>).queue !== undefined) {
      throw new UsageError('--queue: only the black-box strategies send their trials to a queue; run a whole DARTS search on a worker with `tfnas queue submit`');
    }
    if (strategy === 'darts') await runDartsSearch(argv as Record<string, unknown>);
    else await runBlackBoxSearch(argv as Record<string, unknown>);
  },
};
