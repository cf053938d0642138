import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';

/** A fresh temporary folder; the caller removes it. */
export function tempDir(prefix = 'tfnas-data-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Pixel value of record r, channel c, pixel p in the fixture files: easy to predict in tests. */
export function fixturePixel(r: number, c: number, p: number): number {
  return (r * 7 + c * 50 + p) % 256;
}

/** A CIFAR-10 binary batch: label then R, G, B planes of 32x32 per record. */
export function cifarBatch(labels: number[], firstRecord = 0): Buffer {
  const buf = Buffer.alloc(labels.length * 3073);
  labels.forEach((label, i) => {
    const at = i * 3073;
    buf[at] = label;
    for (let c = 0; c < 3; c++) for (let p = 0; p < 1024; p++) buf[at + 1 + c * 1024 + p] = fixturePixel(firstRecord + i, c, p);
  });
  return buf;
}

/** An IDX file of unsigned bytes with the given dimensions (magic 0x0800 + dims.length). */
export function idxFile(dims: number[], data: Uint8Array, magic = 0x800 + dims.length): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header.writeUInt32BE(magic, 0);
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([header, Buffer.from(data)]);
}

/** Writes the four MNIST-style files (gzipped or not) for n train / m test 28x28 images. */
export function writeIdxDataset(dir: string, nTrain: number, nTest: number, gzip: boolean): void {
  fs.mkdirSync(dir, { recursive: true });
  const write = (base: string, buf: Buffer) =>
    fs.writeFileSync(path.join(dir, gzip ? `${base}.gz` : base), gzip ? zlib.gzipSync(buf) : buf);
  const images = (n: number, off: number) => Uint8Array.from({ length: n * 784 }, (_, i) => (i + off) % 256);
  const labels = (n: number) => Uint8Array.from({ length: n }, (_, i) => i % 10);
  write('train-images-idx3-ubyte', idxFile([nTrain, 28, 28], images(nTrain, 0)));
  write('train-labels-idx1-ubyte', idxFile([nTrain], labels(nTrain)));
  write('t10k-images-idx3-ubyte', idxFile([nTest, 28, 28], images(nTest, 3)));
  write('t10k-labels-idx1-ubyte', idxFile([nTest], labels(nTest)));
}

/** Writes a small CIFAR-10 folder: `trainBatches` batches of `perBatch` records, plus a test batch. */
export function writeCifarDataset(dir: string, trainBatches: number, perBatch: number, testCount: number): void {
  fs.mkdirSync(dir, { recursive: true });
  for (let b = 0; b < trainBatches; b++) {
    const labels = Array.from({ length: perBatch }, (_, i) => (b * perBatch + i) % 10);
    fs.writeFileSync(path.join(dir, `data_batch_${b + 1}.bin`), cifarBatch(labels, b * perBatch));
  }
  fs.writeFileSync(path.join(dir, 'test_batch.bin'), cifarBatch(Array.from({ length: testCount }, (_, i) => (i * 3) % 10), 1000));
}

/** One ustar header block (POSIX "ustar\0" or old GNU "ustar  \0"). */
export function tarHeader(name: string, size: number, type = '0', gnu = false): Buffer {
  const h = Buffer.alloc(512);
  h.write(name.slice(0, 100), 0, 'utf8');
  h.write('0000644\0', 100);
  h.write('0000000\0', 108);
  h.write('0000000\0', 116);
  h.write(size.toString(8).padStart(11, '0') + '\0', 124);
  h.write('00000000000\0', 136);
  h.write(type, 156);
  h.write(gnu ? 'ustar  \0' : 'ustar\u000000', 257, 'latin1');
  h.write('        ', 148);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148);
  return h;
}

function padded(data: Buffer): Buffer {
  return Buffer.concat([data, Buffer.alloc((512 - (data.length % 512)) % 512)]);
}

/** A tar archive of the given files (GNU 'L' records for names over 100 bytes). */
export function tarArchive(files: { name: string; data: Buffer }[], gnu = false): Buffer {
  const parts: Buffer[] = [];
  for (const f of files) {
    if (Buffer.byteLength(f.name) > 100) {
      const longName = Buffer.from(f.name + '\0');
      parts.push(tarHeader('././@LongLink', longName.length, 'L', true), padded(longName));
    }
    parts.push(tarHeader(f.name, f.data.length, '0', gnu), padded(f.data));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}
