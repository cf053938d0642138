import type { Argv, CommandModule } from 'yargs';
import { EVAL_OPTIONS, evaluate } from '../api/evaluate';
import { cliOptions, printJsonSummary } from './common';
import { addOptions } from './options';

/** `tfnas eval`: accuracy, loss, per-class accuracy and a confusion matrix of a saved model (the library's `evaluate`). */
export const evalCommand: CommandModule = {
  command: 'eval',
  describe: 'Evaluate a saved model: accuracy, loss, per-class accuracy, confusion CSV (e.g. tfnas eval --model results/train/cifar10/DARTS_V2-seed-0/model)',
  builder: ((y: Argv) =>
    addOptions(y, EVAL_OPTIONS)
      .example('tfnas eval --model results/train/cifar10/DARTS_V2-seed-0/model', 'test accuracy of a trained model')
      .example('tfnas eval --model run/model --split train --out train-confusion.csv --json', 'training-set figures as JSON')) as never,
  handler: async (argv) => {
    const r = await evaluate(cliOptions(argv as Record<string, unknown>, EVAL_OPTIONS));
    if (argv.json) {
      const { per_class, ...summary } = r;
      void per_class;
      printJsonSummary(summary);
      return;
    }
    const lines = [
      `${r.dataset} ${r.split}: accuracy ${(100 * r.accuracy).toFixed(2)}% (${r.count} images), loss ${r.loss.toFixed(4)}`,
      ...r.per_class.map((c) => `  ${c.name.padEnd(12)} ${c.accuracy === null ? '   n/a' : (100 * c.accuracy).toFixed(2).padStart(6) + '%'} (${c.correct}/${c.total})`),
      `confusion matrix: ${r.confusion_csv}`,
    ];
    process.stdout.write(lines.join('\n') + '\n');
  },
};
