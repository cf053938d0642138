import * as fs from 'fs';
import * as path from 'path';
import * as readline from 'readline';
import { badArgument, UsageError } from '../io/errors';
import { camel, checks, type OptionSpecs } from '../cli/options';
import { datasetDir, downloadDataset } from './download';
import { fmtInt } from './errors';
import { DATASETS, DATASET_NAMES } from './registry';
import type { Dataset, DatasetFactory, LoadOptions } from './types';

/** The data options every command that loads data takes (see `DATA_OPTIONS`), by flag name. */
export interface DataArgs {
  dataset: string;
  'data-dir'?: string;
  'train-limit'?: number;
  'test-limit'?: number;
  'synthetic-size'?: number;
  'synthetic-channels'?: number;
  'synthetic-classes'?: number;
  'synthetic-train'?: number;
  'synthetic-test'?: number;
  'synthetic-seed'?: number;
  /** Download a missing dataset (CLI default: yes; library default: no). */
  download?: boolean;
}

const G = 'Data:';
const limitCheck = checks.int(1);

/** Where the data comes from: --data-dir, the limits and the --synthetic-* generator (not --dataset). */
export const DATA_SOURCE_OPTIONS = {
  'data-dir': {
    type: 'string', group: G, shapes: false,
    describe: 'folder holding the dataset files, or a folder with a <dataset>/ subfolder', defaultDescription: 'data/<dataset>',
  },
  'train-limit': { type: 'number', group: G, check: limitCheck, describe: 'use only the first N training images (smoke runs)' },
  'test-limit': { type: 'number', group: G, check: limitCheck, describe: 'use only the first N test images' },
  'synthetic-size': { type: 'number', group: G, default: 32, check: limitCheck, describe: 'synthetic: image height and width' },
  'synthetic-channels': { type: 'number', group: G, default: 3, check: limitCheck, describe: 'synthetic: channels' },
  'synthetic-classes': { type: 'number', group: G, default: 10, check: checks.int(2), describe: 'synthetic: number of classes' },
  'synthetic-train': { type: 'number', group: G, default: 1000, check: limitCheck, describe: 'synthetic: training images' },
  'synthetic-test': { type: 'number', group: G, default: 200, check: limitCheck, describe: 'synthetic: test images' },
  'synthetic-seed': { type: 'number', group: G, default: 0, check: checks.int(0), describe: 'synthetic: generator seed' },
} as const satisfies OptionSpecs;

/** The data options of every command that loads a dataset: --dataset, --download and the source options. */
export const DATA_OPTIONS = {
  dataset: { type: 'string', group: G, default: 'cifar10', choices: DATASET_NAMES, describe: 'dataset to use' },
  download: {
    type: 'boolean', group: G, default: true, shapes: false,
    describe: 'download a missing dataset (md5-checked, with a progress bar); --no-download to fail instead (offline)',
  },
  ...DATA_SOURCE_OPTIONS,
} as const satisfies OptionSpecs;

/** The data options by flag name from a command's checked values (for loadDatasetFromArgs). */
export function dataArgsOf(values: Record<string, unknown>): DataArgs {
  return Object.fromEntries(Object.keys(DATA_OPTIONS).map((flag) => [flag, values[camel(flag)]])) as unknown as DataArgs;
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

/**
 * The parent folder to give `tfnas data download` so that the dataset lands where `--data-dir`
 * looks: a --data-dir named after the dataset (data/cifar10) is the dataset folder itself, so its
 * parent; any other --data-dir is a parent (the download goes to <data-dir>/<name>).
 */
export function downloadParent(f: DatasetFactory, dataDir?: string): string {
  if (!dataDir) return 'data';
  const clean = path.normalize(dataDir).replace(/[\\/]+$/, '');
  return path.basename(clean) === f.name ? path.dirname(clean) : clean;
}

function missingMessage(f: DatasetFactory, dataDir?: string): string {
  const looked = candidateDirs(f, dataDir).join(', ');
  const parent = downloadParent(f, dataDir);
  const cmd = f.download ? ` Run: tfnas data download ${f.name}${parent === 'data' ? '' : ` --data-dir ${parent}`}` : '';
  return `${f.name} not found (looked in ${looked}).${cmd}`;
}

export interface LoadFromArgsOptions {
  /** Offer to download missing CIFAR-10 (default: stdin and stderr are a terminal). */
  interactive?: boolean;
  /** Where to say what was loaded and the dataset's notes (default: stderr, `tfnas: ` prefix). */
  log?: (line: string) => void;
  /** Asks a yes/no question (default: on the terminal); injectable for tests. */
  ask?: (question: string) => Promise<boolean>;
  /**
   * Load only this split of a dataset read from files (the other is left empty), e.g. `eval`
   * scoring the test set without reading 50,000 training images. Generated data is complete.
   */
  only?: 'train' | 'test';
  /** Downloads a dataset (default: downloadDataset); injectable for tests. */
  download?: typeof downloadDataset;
}

/**
 * Loads the dataset the CLI arguments name, finding its folder the same way for every command,
 * and says on stderr what was loaded (folder, counts, notes such as missing training batches).
 * A missing dataset is downloaded when `download` is true (the CLI's default; `--no-download`
 * turns it off), offered for download in a terminal when it is not given (library callers), and
 * otherwise fails with the exact `tfnas data download` command to run.
 */
export async function loadDatasetFromArgs(argv: Partial<DataArgs>, o: LoadFromArgsOptions = {}): Promise<Dataset> {
  const interactive = o.interactive ?? !!(process.stdin.isTTY && process.stderr.isTTY);
  const log = o.log ?? ((line: string) => process.stderr.write(`tfnas: ${line}\n`));
  const f = getFactory(argv.dataset ?? 'cifar10');
  const opts = loadOptionsFromArgs(argv);
  let dir = f.requiredFiles.length === 0 ? null : findDatasetDir(f, argv['data-dir']);
  if (f.requiredFiles.length > 0 && !dir && f.download) {
    const parent = downloadParent(f, argv['data-dir']);
    if (argv.download) {
      // --download (the CLI default): fetch it, md5-checked, with the progress bar of `tfnas data download`.
      log(`${f.name} is not in ${datasetDir(parent, f.name)}: downloading it (--no-download to fail instead)`);
      dir = (await (o.download ?? downloadDataset)(f, { dataDir: parent, log })).dir;
    } else if (interactive && argv.download === undefined) {
      if (await (o.ask ?? askYesNo)(`${f.name} is not in ${datasetDir(parent, f.name)}. Download it now? [y/N] `)) {
        dir = (await downloadDataset(f, { dataDir: parent, log })).dir;
      }
    }
  }
  if (f.requiredFiles.length > 0 && !dir) throw new UsageError(missingMessage(f, argv['data-dir']));
  if (o.only && f.requiredFiles.length > 0) {
    if (o.only === 'test') opts.trainLimit = 0;
    else opts.testLimit = 0;
  }
  const d = f.load({ ...opts, dir: dir ?? undefined });
  log(`dataset ${d.name} from ${d.source}: ${fmtInt(d.train.count)} train / ${fmtInt(d.test.count)} test images`);
  for (const note of d.notes) log(`note: ${note}`);
  return d;
}
