import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { runCli } from './test-utils/run-cli';
import { cifarBatch, idxFile, tempDir, writeCifarDataset, writeIdxDataset } from '../data/test-utils/fixtures';

const run = runCli;

/** Every file in a folder tree with its size and mtime, to prove nothing was written. */
function snapshot(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true }).map(String).sort().map((f) => {
    const st = fs.statSync(path.join(dir, f));
    return `${f}:${st.size}:${st.mtimeMs}`;
  });
}

describe('tfnas data', () => {
  let dir: string;
  beforeEach(() => {
    dir = tempDir();
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('info prints images per split and class, shape and pixel statistics; --json too', async () => {
    writeCifarDataset(dir, 2, 10, 10);
    const r = await run(['data', 'info', 'cifar10', '--data-dir', dir]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/train 20 images, test 10 images/);
    expect(r.out).toMatch(/0 airplane\s+2\s+1/);
    expect(r.out).toMatch(/shape 32x32x3/);
    expect(r.out).toMatch(/found 2 of 5 training batches/);
    const j = await run(['data', 'info', 'cifar10', '--data-dir', dir, '--json', '--train-limit', '5']);
    const info = JSON.parse(j.out.trim().split('\n').pop()!);
    expect(info.train.count).toBe(5);
    expect(info.train.per_class).toEqual([1, 1, 1, 1, 1, 0, 0, 0, 0, 0]);
    expect(info.test.pixel_mean).toHaveLength(3);
    expect(info.class_names[0]).toBe('airplane');
  });

  it('info works for synthetic data with its options', async () => {
    const r = await run(['data', 'info', 'synthetic', '--synthetic-classes', '3', '--synthetic-train', '30', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).train.per_class).toEqual([10, 10, 10]);
  });

  const damage: [string, (d: string) => void, RegExp][] = [
    ['missing CIFAR file', (d) => fs.rmSync(path.join(d, 'test_batch.bin')), /test_batch\.bin: file is missing/],
    ['truncated CIFAR batch', (d) => fs.truncateSync(path.join(d, 'data_batch_1.bin'), 3073 * 3 + 5), /data_batch_1\.bin: size 9,224 bytes is not a whole number of 3,073-byte records/],
    ['CIFAR label 255', (d) => fs.writeFileSync(path.join(d, 'data_batch_1.bin'), cifarBatch([0, 255])), /data_batch_1\.bin: record 1 has label 255/],
  ];
  it.each(damage)('%s: clear error, exit 2, no stack, nothing written', async (_name, spoil, message) => {
    writeCifarDataset(dir, 1, 4, 2);
    spoil(dir);
    const before = snapshot(dir);
    const r = await run(['data', 'info', 'cifar10', '--data-dir', dir]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^tfnas: error: /);
    expect(r.err).toMatch(message);
    expect(r.err).not.toMatch(/\n\s+at /);
    expect(r.out).toBe('');
    expect(snapshot(dir)).toEqual(before);
  });

  const idxDamage: [string, (d: string) => void, RegExp][] = [
    ['wrong IDX magic', (d) => fs.writeFileSync(path.join(d, 't10k-labels-idx1-ubyte.gz'), zlib.gzipSync(idxFile([2], Uint8Array.of(1, 2), 0x801 + 2))), /t10k-labels-idx1-ubyte\.gz: wrong IDX magic number 0x00000803; expected 0x00000801/],
    ['wrong IDX dimensions', (d) => fs.writeFileSync(path.join(d, 'train-images-idx3-ubyte.gz'), zlib.gzipSync(idxFile([3, 28, 27], new Uint8Array(3 * 28 * 27)))), /images are 28x27; expected 28x28/],
    ['truncated IDX', (d) => fs.writeFileSync(path.join(d, 'train-images-idx3-ubyte.gz'), zlib.gzipSync(idxFile([3, 28, 28], new Uint8Array(100)))), /but the file holds 100 \(truncated\)/],
    ['truncated gzip', (d) => fs.truncateSync(path.join(d, 'train-images-idx3-ubyte.gz'), 30), /gzip data is damaged or truncated/],
    ['IDX label 255', (d) => fs.writeFileSync(path.join(d, 'train-labels-idx1-ubyte.gz'), zlib.gzipSync(idxFile([3], Uint8Array.of(0, 1, 255)))), /label 2 is 255; expected a class index 0-9/],
  ];
  it.each(idxDamage)('%s: clear error, exit 2, nothing written', async (_name, spoil, message) => {
    writeIdxDataset(dir, 3, 2, true);
    spoil(dir);
    const before = snapshot(dir);
    const r = await run(['data', 'info', 'fashion-mnist', '--data-dir', dir]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(r.err).not.toMatch(/\n\s+at /);
    expect(snapshot(dir)).toEqual(before);
  });

  it('a missing dataset outside a terminal fails with the exact download command', async () => {
    const r = await run(['data', 'info', 'cifar10', '--data-dir', path.join(dir, 'nope')]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`Run: tfnas data download cifar10 --data-dir ${path.join(dir, 'nope')}`);
  });

  it('download refuses synthetic and needs a dataset name', async () => {
    expect((await run(['data', 'download', 'synthetic'])).code).toBe(2);
    expect((await run(['data', 'download'])).code).toBe(2);
    expect((await run(['data'])).err).toMatch(/download or info/);
  });
});
