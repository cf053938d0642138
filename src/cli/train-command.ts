import type { Argv, CommandModule } from 'yargs';
import { train, TRAIN_OPTIONS } from '../api/train';
import { cliOptions, printJsonSummary } from './common';
import { addOptions } from './options';

/** `tfnas train`: retrain a genotype from scratch as the DARTS paper does; the library's `train` (src/api/train.ts) runs it. */
export const trainCommand: CommandModule = {
  command: 'train',
  describe: 'Retrain a genotype from scratch and save the model (e.g. tfnas train --genotype DARTS_V2 --epochs 600)',
  builder: ((y: Argv) =>
    addOptions(y, TRAIN_OPTIONS)
      .example('tfnas train --genotype DARTS_V2 --dry-run', 'parameter counts of the paper configuration')
      .example('tfnas train --genotype DARTS_V2 --init-channels 16 --layers 8 --epochs 10 --train-limit 5000', 'a short retraining')
      .example('tfnas train --genotype results/search/darts/cifar10/seed-0', 'retrain the cell a search found')
      .example('tfnas train --config results/train/cifar10/DARTS_V2-seed-0/config.json --out again', 'repeat a run')) as never,
  handler: async (argv) => {
    const r = await train(cliOptions(argv as Record<string, unknown>, TRAIN_OPTIONS));
    if ('dryRun' in r) {
      const { dryRun, ...summary } = r;
      void dryRun;
      if (argv.json) printJsonSummary(summary);
      else {
        process.stdout.write(
          `${r.genotype}: ${r.params_millions} parameters without the auxiliary head ` +
            `(${r.params_without_auxiliary.toLocaleString('en-US')} exactly; ${r.params.toLocaleString('en-US')} with it)\n`,
        );
      }
      return;
    }
    if (argv.json) {
      const { genotype, test_count, ...summary } = r;
      void genotype, void test_count;
      printJsonSummary(summary);
    }
  },
};
