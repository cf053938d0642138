import * as fs from 'fs';
import * as path from 'path';
import { DataFileError, fmtInt } from './errors';
import type { Dataset, DataSplit, DatasetFactory, LoadOptions } from './types';

/** CIFAR-10 binary layout: 1 label byte + 32*32 R plane + G plane + B plane per record. */
const SIDE = 32;
const PIXELS = SIDE * SIDE * 3;
const RECORD = 1 + PIXELS;
export const CIFAR10_TRAIN_FILES = [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`);
export const CIFAR10_TEST_FILE = 'test_batch.bin';
export const CIFAR10_CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];
/** Per-channel mean/std of the CIFAR-10 training set (quark0/darts utils.py CIFAR_MEAN, CIFAR_STD). */
export const CIFAR10_MEAN = [0.49139968, 0.48215827, 0.44653124];
export const CIFAR10_STD = [0.24703233, 0.24348505, 0.26158768];

/** Records read per `readSync`, so a 30 MB batch file never sits in memory twice. */
const CHUNK_RECORDS = 1024;

function recordCount(file: string): number {
  let size: number;
  try {
    size = fs.statSync(file).size;
  } catch {
    throw new DataFileError(file, 'file is missing (expected a CIFAR-10 binary batch file)');
  }
  if (size === 0 || size % RECORD !== 0) {
    throw new DataFileError(
      file,
      `size ${fmtInt(size)} bytes is not a whole number of ${fmtInt(RECORD)}-byte records ` +
        `(1 label byte + 3,072 pixel bytes); the file is truncated or not CIFAR-10 binary`,
    );
  }
  return size / RECORD;
}

/** Reads `n` records of `file` into `out` starting at image `at`, converting CHW planes to HWC. */
function readRecords(file: string, n: number, out: DataSplit, at: number): void {
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(Math.min(n, CHUNK_RECORDS) * RECORD);
    for (let done = 0; done < n; ) {
      const k = Math.min(CHUNK_RECORDS, n - done);
      const got = fs.readSync(fd, buf, 0, k * RECORD, done * RECORD);
      if (got !== k * RECORD) throw new DataFileError(file, `short read at record ${done} (file changed while reading?)`);
      for (let r = 0; r < k; r++) {
        const src = r * RECORD;
        const label = buf[src];
        if (label > 9) {
          throw new DataFileError(file, `record ${done + r} has label ${label}; expected a class index 0-9`);
        }
        out.labels[at + done + r] = label;
        const dst = (at + done + r) * PIXELS;
        for (let p = 0; p < SIDE * SIDE; p++) {
          out.images[dst + 3 * p] = buf[src + 1 + p];
          out.images[dst + 3 * p + 1] = buf[src + 1 + 1024 + p];
          out.images[dst + 3 * p + 2] = buf[src + 1 + 2048 + p];
        }
      }
      done += k;
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** Reads the first `limit` records of the given files (in order) into one uint8 HWC split. */
export function readCifarFiles(files: string[], limit = Infinity): DataSplit {
  const counts = files.map(recordCount); // validates every file before allocating anything
  const total = Math.min(limit, counts.reduce((a, b) => a + b, 0));
  const split: DataSplit = { images: new Uint8Array(total * PIXELS), labels: new Uint8Array(total), count: total };
  let at = 0;
  for (let i = 0; i < files.length && at < total; i++) {
    const n = Math.min(counts[i], total - at);
    readRecords(files[i], n, split, at);
    at += n;
  }
  return split;
}

/** Class names from `batches.meta.txt` when present and sane, else the standard list. */
function readClassNames(dir: string): string[] {
  const file = path.join(dir, 'batches.meta.txt');
  if (!fs.existsSync(file)) return CIFAR10_CLASSES;
  const names = fs.readFileSync(file, 'utf8').split(/\r?\n/).map((s) => s.trim()).filter(Boolean);
  if (names.length !== 10) throw new DataFileError(file, `expected 10 class names, one per line, found ${names.length}`);
  return names;
}

export function loadCifar10(opts: LoadOptions): Dataset {
  const dir = opts.dir ?? 'data/cifar10';
  const trainFiles = CIFAR10_TRAIN_FILES.map((f) => path.join(dir, f)).filter((f) => fs.existsSync(f));
  if (trainFiles.length === 0) {
    throw new DataFileError(path.join(dir, CIFAR10_TRAIN_FILES[0]), 'file is missing: no CIFAR-10 training batch (data_batch_1.bin … data_batch_5.bin) in this folder');
  }
  const train = readCifarFiles(trainFiles, opts.trainLimit);
  const test = readCifarFiles([path.join(dir, CIFAR10_TEST_FILE)], opts.testLimit);
  const notes: string[] = [];
  if (trainFiles.length < 5) {
    const names = trainFiles.map((f) => path.basename(f)).join(', ');
    notes.push(`found ${trainFiles.length} of 5 training batches (${names}): ${fmtInt(train.count)} training images`);
  }
  return {
    name: 'cifar10',
    numClasses: 10,
    shape: [SIDE, SIDE, 3],
    mean: CIFAR10_MEAN,
    std: CIFAR10_STD,
    classNames: readClassNames(dir),
    train,
    test,
    source: path.resolve(dir),
    notes,
  };
}

export const cifar10Factory: DatasetFactory = {
  name: 'cifar10',
  description: 'CIFAR-10: 32x32 RGB, 10 classes, 50,000 train / 10,000 test (binary version)',
  numClasses: 10,
  shape: [SIDE, SIDE, 3],
  classNames: CIFAR10_CLASSES,
  requiredFiles: [CIFAR10_TRAIN_FILES, [CIFAR10_TEST_FILE]],
  systemDirs: [],
  archiveDirs: ['cifar-10-batches-bin'],
  download: {
    files: [
      {
        file: 'cifar-10-binary.tar.gz',
        urls: ['https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz'],
        md5: 'c32a1d4ab5d03f1284b67883e8d87530',
        bytes: 170052171,
      },
    ],
    // The tarball holds cifar-10-batches-bin/{data_batch_N.bin,test_batch.bin,batches.meta.txt,readme.html}.
    extract: (member) => {
      const base = path.posix.basename(member);
      const keep = [...CIFAR10_TRAIN_FILES, CIFAR10_TEST_FILE, 'batches.meta.txt', 'readme.html'];
      return member.startsWith('cifar-10-batches-bin/') && keep.includes(base) ? base : null;
    },
    expects: 'data_batch_1.bin … data_batch_5.bin, test_batch.bin and batches.meta.txt',
  },
  load: loadCifar10,
};
