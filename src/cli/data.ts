import type { Argv, CommandModule } from 'yargs';
import { DATA_SOURCE_OPTIONS, dataArgsOf, DATASET_NAMES, downloadDataset, getFactory, loadDatasetFromArgs } from '../data';
import { classCounts, channelStats } from '../data/stats';
import { fmtInt } from '../data/errors';
import type { Dataset } from '../data/types';
import { BENCHMARKS } from '../data/benchmarks';
import { JSON_OPTION, printJsonSummary } from './common';
import { addOptions, readOptions, type OptionSpecs } from './options';

/** The options of `tfnas data download` besides the dataset name (see options.ts). */
export const DOWNLOAD_OPTIONS = {
  'data-dir': { type: 'string', default: 'data', describe: 'parent folder; the dataset goes to <data-dir>/<name>, where --data-dir of the other commands finds it' },
  mirror: { type: 'string', describe: 'take the files from this base URL or local folder instead of the official URLs' },
  force: { type: 'boolean', default: false, describe: 'download again even if the dataset is present' },
  ...JSON_OPTION,
} as const satisfies OptionSpecs;

const downloadCommand: CommandModule = {
  command: 'download <name>',
  describe: 'Download, verify (md5; SHA-256 for nb101) and install a dataset or benchmark file into <data-dir>/<name> (e.g. tfnas data download cifar10)',
  builder: (y: Argv) =>
    addOptions(y, DOWNLOAD_OPTIONS)
      .positional('name', { type: 'string', choices: [...DATASET_NAMES.filter((n) => getFactory(n).download), ...Object.keys(BENCHMARKS)], demandOption: true, describe: 'dataset to install' })
      .example('tfnas data download cifar10', 'install CIFAR-10 into data/cifar10 (md5-checked)')
      .example('tfnas data download mnist --mirror ~/Downloads', 'verify and install files fetched elsewhere') as never,
  handler: async (argv) => {
    const a = readOptions(argv as Record<string, unknown>, DOWNLOAD_OPTIONS, 'data download');
    const name = String(argv.name);
    const log = (line: string) => process.stderr.write(`tfnas: ${line}\n`);
    const r = await downloadDataset(BENCHMARKS[name] ?? getFactory(name), { dataDir: a.dataDir, mirror: a.mirror, force: a.force, log });
    if (a.json) printJsonSummary({ dataset: name, dir: r.dir, downloaded: r.downloaded });
  },
};

const INFO_OPTIONS = { ...DATA_SOURCE_OPTIONS, ...JSON_OPTION } as const satisfies OptionSpecs;

/** Everything `data info` reports, as plain data. */
export function describeDataset(d: Dataset) {
  const split = (s: Dataset['train']) => {
    const st = channelStats(s, d.shape[2]);
    return { count: s.count, perClass: classCounts(s, d.numClasses), pixelMean: st.mean, pixelStd: st.std };
  };
  return {
    dataset: d.name,
    source: d.source,
    shape: d.shape,
    numClasses: d.numClasses,
    classNames: d.classNames,
    normalisation: { mean: d.mean, std: d.std },
    train: split(d.train),
    test: split(d.test),
    notes: d.notes,
  };
}

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
    const a = readOptions(argv as Record<string, unknown>, INFO_OPTIONS, 'data info');
    const d = await loadDatasetFromArgs({ ...dataArgsOf(a), dataset: String(argv.name) }, { log: () => undefined });
    const info = describeDataset(d);
    if (a.json) printJsonSummary(info);
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
