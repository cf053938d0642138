import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { DataFileError, fmtInt } from './errors';
import type { Dataset, DatasetFactory, DataSplit, LoadOptions, RemoteFile } from './types';

/**
 * IDX files (LeCun's MNIST format): 2 zero bytes, type code 0x08 (unsigned byte), number of
 * dimensions, then each dimension as a big-endian uint32, then the data. Images are idx3
 * (magic 0x00000803, N x 28 x 28), labels idx1 (magic 0x00000801, N). Files may be gzipped.
 */
export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

function readMaybeGzip(file: string): Uint8Array {
  let raw: Buffer;
  try {
    raw = fs.readFileSync(file);
  } catch {
    throw new DataFileError(file, 'file is missing');
  }
  if (raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b) {
    try {
      return zlib.gunzipSync(raw);
    } catch (e) {
      throw new DataFileError(file, `gzip data is damaged or truncated (${(e as Error).message})`);
    }
  }
  return raw;
}

/** Parses an IDX file, checking magic number, dimensions and that the length matches exactly. */
export function readIdx(file: string, expectDims: number): IdxArray {
  const buf = readMaybeGzip(file);
  const hex = (n: number) => '0x' + n.toString(16).padStart(8, '0');
  const expected = 0x800 + expectDims;
  if (buf.length < 4) throw new DataFileError(file, `file has ${buf.length} bytes; expected an IDX header with magic number ${hex(expected)}`);
  const magic = ((buf[0] << 24) | (buf[1] << 16) | (buf[2] << 8) | buf[3]) >>> 0;
  if (magic !== expected) {
    throw new DataFileError(file, `wrong IDX magic number ${hex(magic)}; expected ${hex(expected)} (unsigned bytes, ${expectDims} dimension${expectDims > 1 ? 's' : ''})`);
  }
  const header = 4 + 4 * expectDims;
  if (buf.length < header) throw new DataFileError(file, `file ends inside the IDX header (${buf.length} of ${header} bytes)`);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const dims = Array.from({ length: expectDims }, (_, i) => view.getUint32(4 + 4 * i, false));
  const want = dims.reduce((a, b) => a * b, 1);
  const have = buf.length - header;
  if (have !== want) {
    throw new DataFileError(
      file,
      `header says dimensions [${dims.join(', ')}] = ${fmtInt(want)} data bytes but the file holds ${fmtInt(have)}` +
        (have < want ? ' (truncated)' : ' (extra bytes at the end)'),
    );
  }
  return { dims, data: buf.subarray(header) };
}

/** Reads one images+labels pair, checking they agree, and keeps the first `limit` items. */
export function readIdxSplit(imagesFile: string, labelsFile: string, side: number, numClasses: number, limit = Infinity): DataSplit {
  const images = readIdx(imagesFile, 3);
  const [n, h, w] = images.dims;
  if (h !== side || w !== side) {
    throw new DataFileError(imagesFile, `images are ${h}x${w}; expected ${side}x${side}`);
  }
  const labels = readIdx(labelsFile, 1);
  if (labels.dims[0] !== n) {
    throw new DataFileError(labelsFile, `holds ${fmtInt(labels.dims[0])} labels but ${path.basename(imagesFile)} holds ${fmtInt(n)} images`);
  }
  for (let i = 0; i < n; i++) {
    if (labels.data[i] >= numClasses) {
      throw new DataFileError(labelsFile, `label ${i} is ${labels.data[i]}; expected a class index 0-${numClasses - 1}`);
    }
  }
  const count = Math.min(n, limit);
  // Copy (not a view) so the decompressed buffer of the whole file can be freed.
  return { images: images.data.slice(0, count * side * side), labels: labels.data.slice(0, count), count };
}

/** The four standard file names, each accepted gzipped or not, with `-` or `.` before idx. */
export const IDX_FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
};

export function idxCandidates(base: string): string[] {
  const dotted = base.replace(/-idx/, '.idx');
  return [base, `${base}.gz`, dotted, `${dotted}.gz`];
}

function findIdx(dir: string, base: string): string {
  for (const name of idxCandidates(base)) {
    const f = path.join(dir, name);
    if (fs.existsSync(f)) return f;
  }
  throw new DataFileError(path.join(dir, `${base}.gz`), `file is missing (also looked for ${idxCandidates(base).slice(0, 2).join(' / ')})`);
}

interface IdxDatasetSpec {
  name: string;
  description: string;
  classNames: string[];
  mean: number;
  std: number;
  systemDirs: string[];
  remote: RemoteFile[];
  offlineHint?: string;
}

function idxFactory(spec: IdxDatasetSpec): DatasetFactory {
  const load = (opts: LoadOptions): Dataset => {
    const dir = opts.dir ?? `data/${spec.name}`;
    const k = spec.classNames.length;
    const train = readIdxSplit(findIdx(dir, IDX_FILES.trainImages), findIdx(dir, IDX_FILES.trainLabels), 28, k, opts.trainLimit);
    const test = readIdxSplit(findIdx(dir, IDX_FILES.testImages), findIdx(dir, IDX_FILES.testLabels), 28, k, opts.testLimit);
    return {
      name: spec.name,
      numClasses: k,
      shape: [28, 28, 1],
      mean: [spec.mean],
      std: [spec.std],
      classNames: spec.classNames,
      train,
      test,
      source: path.resolve(dir),
      notes: [],
    };
  };
  return {
    name: spec.name,
    description: spec.description,
    numClasses: spec.classNames.length,
    shape: [28, 28, 1],
    classNames: spec.classNames,
    requiredFiles: Object.values(IDX_FILES).map(idxCandidates),
    systemDirs: spec.systemDirs,
    download: {
      files: spec.remote,
      expects: `${Object.values(IDX_FILES).map((b) => b + '.gz').join(', ')} (gzipped or not)`,
      offlineHint: spec.offlineHint,
    },
    load,
  };
}

function remote(bases: string[], md5s: string[]): RemoteFile[] {
  return Object.values(IDX_FILES).map((f, i) => ({ file: `${f}.gz`, urls: bases.map((b) => b + f + '.gz'), md5: md5s[i] }));
}

/**
 * MNIST. LeCun's site is the official source but often refuses downloads, so torchvision's mirror
 * is tried first (the md5s are torchvision's, datasets/mnist.py). Mean/std 0.1307/0.3081 are the
 * usual training-set statistics (PyTorch examples/mnist).
 */
export const mnistFactory = idxFactory({
  name: 'mnist',
  description: 'MNIST: 28x28 grey handwritten digits, 10 classes, 60,000 train / 10,000 test',
  classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
  mean: 0.1307,
  std: 0.3081,
  systemDirs: [],
  remote: remote(
    ['https://ossci-datasets.s3.amazonaws.com/mnist/', 'http://yann.lecun.com/exdb/mnist/'],
    ['f68b3c2dcbeaaa9fbdd348bbdeb94873', 'd53e105ee54ea40749a09fcbcd1e9432', '9fb629c4189551a2d022fa330f9573f3', 'ec29112dd5afa0611ce80d1b7f02629c'],
  ),
});

/**
 * Fashion-MNIST (Xiao et al. 2017, zalandoresearch/fashion-mnist), md5s as in torchvision.
 * Debian's `dataset-fashion-mnist` installs the same IDX data (recompressed, so other md5s) in
 * /usr/share/datasets/fashion-mnist. Mean/std 0.2860/0.3530: measured on its 60,000 training
 * images with `tfnas data info fashion-mnist`.
 */
export const fashionMnistFactory = idxFactory({
  name: 'fashion-mnist',
  description: 'Fashion-MNIST: 28x28 grey clothing images, 10 classes, 60,000 train / 10,000 test',
  classNames: ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'],
  mean: 0.286,
  std: 0.353,
  systemDirs: ['/usr/share/datasets/fashion-mnist'],
  offlineHint: 'On Debian/Ubuntu, `apt-get install dataset-fashion-mnist` installs it in /usr/share/datasets/fashion-mnist, where tfnas finds it without --data-dir.',
  remote: remote(
    ['http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/'],
    ['8d4fb7e6c68d591d4c3dfef9ec88bf0d', '25c81989df183df01b3e8a0aad5dffbe', 'bef4ecab320f06d8554ea6380940ec79', 'bb300cfdad3c16e7a12a480ee83cd310'],
  ),
});
