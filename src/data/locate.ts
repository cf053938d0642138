import * as fs from 'fs';
import * as path from 'path';
import * as readline from 'readline';
import type { Argv } from 'yargs';
import { badArgument, UsageError } from '../io/errors';
import { datasetDir, downloadDataset } from './download';
import { fmtInt } from './errors';
import { DATASETS, DATASET_NAMES } from './registry';
import type { Dataset, DatasetFactory, LoadOptions } from './types';

/** The data options every command that loads data takes (see `addDataOptions`). */
export interface DataArgs {
  dataset: string;
  'data-dir'?: string;
  'train-limit'?: number;
  'test-limit'?: number;
  'synthetic-size': number;
  'synthetic-channels': number;
  'synthetic-classes': number;
  'synthetic-train': number;
  'synthetic-test': number;
  'synthetic-seed': number;
}

/** Adds --data-dir, --train-limit, --test-limit and the --synthetic-* options (not --dataset). */
export function addDataSourceOptions<T>(y: Argv<T>): Argv<T & Omit<DataArgs, 'dataset'>> {
  return y
    .option('data-dir', {
      type: 'string',
      describe: 'folder holding the dataset files, or a folder with a <dataset>/ subfolder (default: data/<dataset>)',
    })
    .option('train-limit', { type: 'number', describe: 'use only the first N training images (smoke runs)' })
    .option('test-limit', { type: 'number', describe: 'use only the first N test images' })
    .option('synthetic-size', { type: 'number', default: 32, describe: 'synthetic: image height and width' })
    .option('synthetic-channels', { type: 'number', default: 3, describe: 'synthetic: channels' })
    .option('synthetic-classes', { type: 'number', default: 10, describe: 'synthetic: number of classes' })
    .option('synthetic-train', { type: 'number', default: 1000, describe: 'synthetic: training images' })
    .option('synthetic-test', { type: 'number', default: 200, describe: 'synthetic: test images' })
    .option('synthetic-seed', { type: 'number', default: 0, describe: 'synthetic: generator seed' }) as Argv<T & Omit<DataArgs, 'dataset'>>;
}

/** Adds --dataset plus everything `addDataSourceOptions` adds: for every command that loads data. */
export function addDataOptions<T>(y: Argv<T>, defaultDataset = 'cifar10'): Argv<T & DataArgs> {
  return addDataSourceOptions(y).option('dataset', {
    type: 'string',
    default: defaultDataset,
    choices: DATASET_NAMES,
    describe: 'dataset to use',
  }) as Argv<T & DataArgs>;
}

export function getFactory(name: string): DatasetFactory {
  const f = DATASETS[name];
  if (!f) badArgument('dataset', `one of ${DATASET_NAMES.join(', ')}`, name);
  return f;
}

/** True if `dir` holds at least one file of each required group. */
export function holdsDataset(f: DatasetFactory, dir: string): boolean {
  return f.requiredFiles.every((group) => group.some((file) => fs.existsSync(path.join(dir, file))));
}

/**
 * The folders searched, in order: `--data-dir` itself, `<data-dir>/<name>` and (for an extracted
 * archive) `<data-dir>[/<name>]/<archive dir>` such as cifar-10-batches-bin; without --data-dir, `data/<name>`, then the
 * dataset's system folders (Debian's /usr/share/datasets/fashion-mnist).
 */
export function candidateDirs(f: DatasetFactory, dataDir?: string): string[] {
  // An explicit --data-dir is the only place looked at: silently using other data would mislead.
  if (dataDir) {
    const archives = f.archiveDirs ?? [];
    const dirs = [dataDir, path.join(dataDir, f.name), ...archives.flatMap((a) => [path.join(dataDir, a), path.join(dataDir, f.name, a)])];
    return dirs.map((d) => path.resolve(d));
  }
  return [datasetDir('data', f.name), ...f.systemDirs];
}

/**
 * The first candidate folder that holds the dataset; failing that, the first that holds part of
 * it (so loading names the exact missing file); or null.
 */
export function findDatasetDir(f: DatasetFactory, dataDir?: string): string | null {
  const dirs = candidateDirs(f, dataDir);
  const partial = (d: string) => f.requiredFiles.some((g) => g.some((file) => fs.existsSync(path.join(d, file))));
  return dirs.find((d) => holdsDataset(f, d)) ?? dirs.find(partial) ?? null;
}

function positiveInt(name: string, v: unknown): number | undefined {
  if (v === undefined) return undefined;
  // yargs turns a non-numeric value into NaN, which JSON would print as "null".
  if (typeof v === 'number' && Number.isNaN(v)) throw new UsageError(`--${name}: expected a positive integer, got a value that is not a number`);
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) badArgument(name, 'a positive integer', v);
  return v;
}

/** LoadOptions from parsed CLI arguments (without the folder). */
export function loadOptionsFromArgs(argv: Partial<DataArgs>): LoadOptions {
  return {
    trainLimit: positiveInt('train-limit', argv['train-limit']),
    testLimit: positiveInt('test-limit', argv['test-limit']),
    synthetic: {
      size: argv['synthetic-size'],
      channels: argv['synthetic-channels'],
      classes: argv['synthetic-classes'],
      trainCount: argv['synthetic-train'],
      testCount: argv['synthetic-test'],
      seed: argv['synthetic-seed'],
    },
  };
}

async function askYesNo(question: string): Promise<boolean> {
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await new Promise<string>((resolve) => rl.question(question, resolve));
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

function missingMessage(f: DatasetFactory, dataDir?: string): string {
  const looked = candidateDirs(f, dataDir).join(', ');
  const dd = dataDir ?? 'data';
  const cmd = f.download ? ` Run: tfnas data download ${f.name} --data-dir ${dd}` : '';
  return `${f.name} not found (looked in ${looked}).${cmd}`;
}

export interface LoadFromArgsOptions {
  /** Offer to download missing CIFAR-10 (default: stdin and stderr are a terminal). */
  interactive?: boolean;
  /** Where to say what was loaded and the dataset's notes (default: stderr, `tfnas: ` prefix). */
  log?: (line: string) => void;
  /** Asks a yes/no question (default: on the terminal); injectable for tests. */
  ask?: (question: string) => Promise<boolean>;
}

/**
 * Loads the dataset the CLI arguments name, finding its folder the same way for every command,
 * and says on stderr what was loaded (folder, counts, notes such as missing training batches).
 * CIFAR-10 that is missing is offered for download when stdin and stderr are a terminal;
 * otherwise (CI, scripts) this fails with the exact command to run.
 */
export async function loadDatasetFromArgs(argv: Partial<DataArgs>, o: LoadFromArgsOptions = {}): Promise<Dataset> {
  const interactive = o.interactive ?? !!(process.stdin.isTTY && process.stderr.isTTY);
  const log = o.log ?? ((line: string) => process.stderr.write(`tfnas: ${line}\n`));
  const f = getFactory(argv.dataset ?? 'cifar10');
  const opts = loadOptionsFromArgs(argv);
  let dir = f.requiredFiles.length === 0 ? null : findDatasetDir(f, argv['data-dir']);
  if (f.requiredFiles.length > 0 && !dir) {
    if (f.name === 'cifar10' && interactive) {
      const target = datasetDir(argv['data-dir'] ?? 'data', f.name);
      if (await (o.ask ?? askYesNo)(`${f.name} is not in ${target}. Download it now (about 163 MB)? [y/N] `)) {
        dir = (await downloadDataset(f, { dataDir: argv['data-dir'] ?? 'data', log })).dir;
      }
    }
    if (!dir) throw new UsageError(missingMessage(f, argv['data-dir']));
  }
  const d = f.load({ ...opts, dir: dir ?? undefined });
  log(`dataset ${d.name} from ${d.source}: ${fmtInt(d.train.count)} train / ${fmtInt(d.test.count)} test images`);
  for (const note of d.notes) log(`note: ${note}`);
  return d;
}
