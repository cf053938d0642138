import type { Argv, CommandModule } from 'yargs';
import { search, type SearchResult } from '../api/search';
import type { DartsDryRun } from '../api/search-darts';
import type { RunSummary } from '../search/blackbox/run';
import type { DartsSummary } from '../search/darts/search';
import { SEARCH_OPTIONS } from '../search/search-options';
import { cliOptions, printJsonSummary } from './common';
import { addOptions } from './options';

/** The lines `tfnas search` prints without --json. */
function printSearch(r: SearchResult): void {
  if ('dryRun' in r) {
    const d = r as DartsDryRun;
    console.log(`${d.space} supernet: ${d.params} trainable parameters (${d.params / 1e6} M), ${d.alphas} architecture parameters`);
  } else if (r.strategy === 'darts') {
    const d = r as DartsSummary;
    console.log(`genotype: ${d.text}`);
    if (d.benchmark) {
      const b = d.benchmark;
      const pct = (v: number) => `${(100 * v).toFixed(2)}%`;
      console.log(`NAS-Bench-201 (200-epoch test accuracy): cifar10 ${pct(b.cifar10.test_200ep)}, cifar100 ${pct(b.cifar100.test_200ep)}, imagenet16 ${pct(b.imagenet16.test_200ep)}`);
    }
    console.log(`run folder: ${d.out}`);
  } else {
    const b = r as RunSummary;
    console.log(`best ${b.best} (signal ${b.signal}${b.test_accuracy !== null ? `, test accuracy ${b.test_accuracy}` : ''})`);
    console.log(`run folder ${b.out}`);
  }
}

/**
 * `tfnas search`: DARTS (the default strategy) or one of the black-box searchers. The options are
 * one spec (search/search-options.ts); the library's `search` (src/api/search.ts) runs it.
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
    const r = await search(cliOptions(argv as Record<string, unknown>, SEARCH_OPTIONS));
    // The dry run's JSON is the supernet's size alone, as before the API.
    if (argv.json) printJsonSummary('dryRun' in r ? { ...r, strategy: undefined, dryRun: undefined } : r);
    else printSearch(r);
  },
};
