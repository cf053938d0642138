import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { DataFileError } from './errors';
import { fashionMnistFactory, mnistFactory, readIdx } from './idx';
import { idxFile, tempDir, writeIdxDataset } from './test-utils/fixtures';

describe('IDX (MNIST / Fashion-MNIST) loader', () => {
  let dir: string;
  beforeEach(() => {
    dir = tempDir();
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it.each([true, false])('loads gzipped=%s files with shape [28, 28, 1] and limits', (gzip) => {
    writeIdxDataset(dir, 12, 5, gzip);
    const d = mnistFactory.load({ dir, trainLimit: 10 });
    expect(d.shape).toEqual([28, 28, 1]);
    expect(d.train.count).toBe(10);
    expect(d.train.images.length).toBe(10 * 784);
    expect(d.test.count).toBe(5);
    expect(d.test.images[0]).toBe(3);
    expect(Array.from(d.train.labels.slice(0, 3))).toEqual([0, 1, 2]);
  });

  it('accepts the dotted file names (train-images.idx3-ubyte)', () => {
    writeIdxDataset(dir, 3, 2, false);
    for (const f of fs.readdirSync(dir)) fs.renameSync(path.join(dir, f), path.join(dir, f.replace('-idx', '.idx')));
    expect(fashionMnistFactory.load({ dir }).train.count).toBe(3);
  });

  const imagesFile = () => path.join(dir, 'train-images-idx3-ubyte');
  const labelsFile = () => path.join(dir, 'train-labels-idx1-ubyte');

  it('rejects a wrong magic number, naming file, expected and found', () => {
    writeIdxDataset(dir, 3, 2, false);
    fs.writeFileSync(imagesFile(), idxFile([3, 28, 28], new Uint8Array(3 * 784), 0x0d03));
    expect(() => mnistFactory.load({ dir })).toThrow(DataFileError);
    expect(() => mnistFactory.load({ dir })).toThrow(/train-images-idx3-ubyte: wrong IDX magic number 0x00000d03; expected 0x00000803/);
  });

  it('rejects a truncated file (gzipped) and a gzip stream cut short', () => {
    writeIdxDataset(dir, 3, 2, true);
    const gz = imagesFile() + '.gz';
    fs.writeFileSync(gz, zlib.gzipSync(idxFile([3, 28, 28], new Uint8Array(2 * 784))));
    expect(() => mnistFactory.load({ dir })).toThrow(/dimensions \[3, 28, 28\] = 2,352 data bytes but the file holds 1,568 \(truncated\)/);
    const whole = zlib.gzipSync(idxFile([3, 28, 28], new Uint8Array(3 * 784)));
    fs.writeFileSync(gz, whole.subarray(0, whole.length - 20));
    expect(() => mnistFactory.load({ dir })).toThrow(/train-images-idx3-ubyte\.gz: gzip data is damaged or truncated/);
  });

  it('rejects wrong image dimensions', () => {
    writeIdxDataset(dir, 3, 2, false);
    fs.writeFileSync(imagesFile(), idxFile([3, 32, 32], new Uint8Array(3 * 1024)));
    expect(() => mnistFactory.load({ dir })).toThrow(/images are 32x32; expected 28x28/);
  });

  it('rejects a label of 255 and a label count that does not match', () => {
    writeIdxDataset(dir, 3, 2, false);
    fs.writeFileSync(labelsFile(), idxFile([3], Uint8Array.from([1, 255, 2])));
    expect(() => mnistFactory.load({ dir })).toThrow(/train-labels-idx1-ubyte: label 1 is 255; expected a class index 0-9/);
    fs.writeFileSync(labelsFile(), idxFile([2], Uint8Array.from([1, 2])));
    expect(() => mnistFactory.load({ dir })).toThrow(/holds 2 labels but train-images-idx3-ubyte holds 3 images/);
  });

  it('names a missing file', () => {
    writeIdxDataset(dir, 3, 2, true);
    fs.rmSync(path.join(dir, 't10k-labels-idx1-ubyte.gz'));
    expect(() => mnistFactory.load({ dir })).toThrow(/t10k-labels-idx1-ubyte\.gz: file is missing/);
  });

  it('rejects an empty or header-only file', () => {
    fs.writeFileSync(path.join(dir, 'x'), Buffer.from([0, 0]));
    expect(() => readIdx(path.join(dir, 'x'), 1)).toThrow(/file has 2 bytes; expected an IDX header/);
    fs.writeFileSync(path.join(dir, 'x'), Buffer.from([0, 0, 8, 3, 0, 0]));
    expect(() => readIdx(path.join(dir, 'x'), 3)).toThrow(/ends inside the IDX header/);
  });
});

const DEBIAN = '/usr/share/datasets/fashion-mnist';
const haveDebian = fs.existsSync(path.join(DEBIAN, 'train-images-idx3-ubyte.gz'));
(haveDebian ? describe : describe.skip)('Fashion-MNIST from Debian dataset-fashion-mnist', () => {
  it('loads 60,000 / 10,000 images with 6,000 / 1,000 per class', () => {
    const d = fashionMnistFactory.load({ dir: DEBIAN });
    expect(d.train.count).toBe(60000);
    expect(d.test.count).toBe(10000);
    const perClass = new Array(10).fill(0);
    d.train.labels.forEach((l) => perClass[l]++);
    expect(perClass).toEqual(new Array(10).fill(6000));
  });
});
if (!haveDebian) {
  // eslint-disable-next-line no-console
  console.warn(`skipping Debian Fashion-MNIST test: ${DEBIAN} is absent (apt-get install dataset-fashion-mnist)`);
}
