import type { Argv, CommandModule } from 'yargs';
import { DATASET_NAMES, getFactory } from '../data';
import { fmtInt } from '../data/errors';
import { BENCHMARKS } from '../data/benchmarks';
import { dataInfo, type describeDataset, downloadData, DOWNLOAD_OPTIONS, INFO_OPTIONS } from '../api/datasets';
import { cliOptions, printJsonSummary } from './common';
import { addOptions } from './options';

const downloadCommand: CommandModule = {
  command: 'download <name>',
  describe: 'Download, verify (md5; SHA-256 for nb101) and install a dataset or benchmark file into <data-dir>/<name> (e.g. tfnas data download cifar10)',
  builder: (y: Argv) =>
    addOptions(y, DOWNLOAD_OPTIONS)
      .positional('name', { type: 'string', choices: [...DATASET_NAMES.filter((n) => getFactory(n).download), ...Object.keys(BENCHMARKS)], demandOption: true, describe: 'dataset to install' })
      .example('tfnas data download cifar10', 'install CIFAR-10 into data/cifar10 (md5-checked)')
      .example('tfnas data download mnist --mirror ~/Downloads', 'verify and install files fetched elsewhere') as never,
  handler: async (argv) => {
    const r = await downloadData({ ...cliOptions(argv as Record<string, unknown>, DOWNLOAD_OPTIONS), name: String(argv.name) });
    if (argv.json) printJsonSummary(r);
  },
};

function printInfo(info: ReturnType<typeof describeDataset>): void {
  const f4 = (xs: number[]) => xs.map((x) => x.toFixed(4)).join(' ');
  const lines = [
    `${info.dataset} from ${info.source}`,
    ...info.notes.map((n) => `note: ${n}`),
    `shape ${info.shape.join('x')} (HxWxC), ${info.numClasses} classes`,
    `train ${fmtInt(info.train.count)} images, test ${fmtInt(info.test.count)} images`,
    '',
    `${'class'.padEnd(14)}${'train'.padStart(9)}${'test'.padStart(9)}`,
    ...info.classNames.map(
      (c, i) => `${(`${i} ${c}`).padEnd(14)}${fmtInt(info.train.perClass[i]).padStart(9)}${fmtInt(info.test.perClass[i]).padStart(9)}`,
    ),
    '',
    `pixel mean/255 per channel: train ${f4(info.train.pixelMean)} | test ${f4(info.test.pixelMean)}`,
    `pixel std/255 per channel:  train ${f4(info.train.pixelStd)} | test ${f4(info.test.pixelStd)}`,
    `normalisation used: mean ${f4(info.normalisation.mean)}, std ${f4(info.normalisation.std)}`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

const infoCommand: CommandModule = {
  command: 'info <name>',
  describe: 'Images per split and class, shape, pixel mean/std (e.g. tfnas data info cifar10 --data-dir data/cifar10)',
  builder: (y: Argv) =>
    addOptions(y, INFO_OPTIONS)
      .positional('name', { type: 'string', choices: DATASET_NAMES, demandOption: true, describe: 'dataset to describe' })
      .example('tfnas data info cifar10', 'images per split and class, pixel statistics')
      .example('tfnas data info synthetic --synthetic-classes 4 --json', 'the generated test data, as JSON') as never,
  handler: async (argv) => {
    // Notes are part of the printed report, so nothing goes to stderr here.
    const info = await dataInfo({ ...cliOptions(argv as Record<string, unknown>, INFO_OPTIONS), name: String(argv.name) });
    if (argv.json) printJsonSummary(info);
    else printInfo(info);
  },
};

/** `tfnas data download|info`. */
export const dataCommand: CommandModule = {
  command: 'data',
  describe: 'Download or inspect datasets (e.g. tfnas data download cifar10; tfnas data info cifar10)',
  builder: (y: Argv) =>
    y
      .command(downloadCommand)
      .command(infoCommand)
      .demandCommand(1, 'name an action: download or info')
      .example('tfnas data download cifar10', 'install CIFAR-10')
      .example('tfnas data info cifar10', 'describe it') as never,
  handler: () => undefined,
};
