import * as crypto from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import { AddressInfo } from 'net';
import * as path from 'path';
import * as zlib from 'zlib';
import { cifar10Factory } from './cifar10';
import { downloadDataset } from './download';
import { mnistFactory } from './idx';
import { cifarBatch, tarArchive, tempDir, writeIdxDataset } from './test-utils/fixtures';
import type { DatasetFactory } from './types';

const md5 = (b: Buffer) => crypto.createHash('md5').update(b).digest('hex');

/** A tiny CIFAR-10 tarball laid out like the official one. */
const tarball = zlib.gzipSync(
  tarArchive(
    [
      { name: 'cifar-10-batches-bin/data_batch_1.bin', data: cifarBatch([1, 2, 3]) },
      { name: 'cifar-10-batches-bin/test_batch.bin', data: cifarBatch([4, 5]) },
      { name: 'cifar-10-batches-bin/batches.meta.txt', data: Buffer.from('a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n') },
      { name: 'cifar-10-batches-bin/ignored.py', data: Buffer.from('x') },
    ],
    true,
  ),
);

/** The cifar10 factory, downloading from `url` with checksum `sum`. */
function cifarFrom(url: string, sum = md5(tarball)): DatasetFactory {
  const spec = cifar10Factory.download!;
  return { ...cifar10Factory, download: { ...spec, files: [{ ...spec.files[0], urls: [url], md5: sum }] } };
}

describe('downloadDataset', () => {
  let server: http.Server;
  let base: string;
  let dataDir: string;
  const leftovers = () => (fs.existsSync(dataDir) ? fs.readdirSync(dataDir) : []);

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      if (req.url === '/good/cifar-10-binary.tar.gz') {
        res.writeHead(200, { 'content-length': tarball.length });
        res.end(tarball);
      } else if (req.url === '/cut/cifar-10-binary.tar.gz') {
        // Promise the whole file, send half, then drop the connection.
        res.writeHead(200, { 'content-length': tarball.length });
        res.write(tarball.subarray(0, tarball.length >> 1), () => res.socket?.destroy());
      } else if (req.url === '/redirect') {
        res.writeHead(302, { location: '/good/cifar-10-binary.tar.gz' });
        res.end();
      } else {
        res.writeHead(404);
        res.end();
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));
  beforeEach(() => {
    dataDir = tempDir();
  });
  afterEach(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('downloads, checks md5, extracts only the dataset files, and the result loads', async () => {
    const r = await downloadDataset(cifarFrom(`${base}/redirect`), { dataDir, quiet: true });
    expect(r).toEqual({ dir: path.join(dataDir, 'cifar10'), downloaded: true });
    expect(fs.readdirSync(r.dir).sort()).toEqual(['batches.meta.txt', 'data_batch_1.bin', 'test_batch.bin']);
    expect(cifar10Factory.load({ dir: r.dir }).train.count).toBe(3);
    expect(leftovers()).toEqual(['cifar10']);
    const again = await downloadDataset(cifarFrom(`${base}/nothing-here`), { dataDir, quiet: true });
    expect(again.downloaded).toBe(false);
  });

  it('a checksum mismatch fails clearly and leaves nothing behind', async () => {
    const wrong = '0'.repeat(32);
    await expect(downloadDataset(cifarFrom(`${base}/good/cifar-10-binary.tar.gz`, wrong), { dataDir, quiet: true })).rejects.toThrow(
      new RegExp(`checksum mismatch .*md5 is ${md5(tarball)}, expected ${wrong}.*Nothing was written`),
    );
    expect(leftovers()).toEqual([]);
  });

  it('an interrupted download leaves nothing behind, and a rerun works', async () => {
    await expect(downloadDataset(cifarFrom(`${base}/cut/cifar-10-binary.tar.gz`), { dataDir, quiet: true })).rejects.toThrow(
      /could not download cifar-10-binary\.tar\.gz .*(closed after|transfer failed)/,
    );
    expect(leftovers()).toEqual([]);
    await downloadDataset(cifarFrom(`${base}/good/cifar-10-binary.tar.gz`), { dataDir, quiet: true });
    expect(leftovers()).toEqual(['cifar10']);
  });

  it('removes the temporary folder of a download that was killed (its process is gone)', async () => {
    const stale = path.join(dataDir, '.tmp-cifar10-2147483646-1700000000000');
    fs.mkdirSync(stale);
    fs.writeFileSync(path.join(stale, 'cifar-10-binary.tar.gz'), 'partial');
    await downloadDataset(cifarFrom(`${base}/good/cifar-10-binary.tar.gz`), { dataDir, quiet: true });
    expect(leftovers()).toEqual(['cifar10']);
  });

  it('offline: names the URL and the folder to put the files in', async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const url = `http://127.0.0.1:${port}/cifar-10-binary.tar.gz`;
    const err = await downloadDataset(cifarFrom(url), { dataDir, quiet: true }).catch((e: Error) => e);
    expect(String(err)).toContain(url);
    expect(String(err)).toContain(`put the files, extracted, in ${path.join(dataDir, 'cifar10')}`);
    expect(String(err)).toContain('--mirror');
    expect(leftovers()).toEqual([]);
    // A --data-dir folder that did not exist is not left behind either.
    const fresh = path.join(dataDir, 'new', 'deeper');
    await expect(downloadDataset(cifarFrom(url), { dataDir: fresh, quiet: true })).rejects.toThrow(/could not download/);
    expect(fs.existsSync(path.join(dataDir, 'new'))).toBe(false);
  });

  it('installs from a local --mirror folder, and rejects a damaged archive whose md5 matches', async () => {
    const mirror = tempDir();
    try {
      fs.writeFileSync(path.join(mirror, 'cifar-10-binary.tar.gz'), tarball);
      await downloadDataset(cifarFrom('http://unused.invalid/x'), { dataDir, mirror, quiet: true });
      expect(cifar10Factory.load({ dir: path.join(dataDir, 'cifar10') }).test.count).toBe(2);
      const cut = tarball.subarray(0, tarball.length - 40);
      fs.writeFileSync(path.join(mirror, 'cifar-10-binary.tar.gz'), cut);
      const other = tempDir();
      await expect(downloadDataset(cifarFrom('http://unused.invalid/x', md5(cut)), { dataDir: other, mirror, quiet: true })).rejects.toThrow(
        /cannot extract .*Nothing was written/,
      );
      expect(fs.readdirSync(other)).toEqual([]);
      fs.rmSync(other, { recursive: true });
    } finally {
      fs.rmSync(mirror, { recursive: true, force: true });
    }
  });

  it('downloads multi-file IDX datasets (gzipped files kept as they are)', async () => {
    const mirror = tempDir();
    try {
      writeIdxDataset(mirror, 4, 2, true);
      const spec = mnistFactory.download!;
      const files = spec.files.map((f) => ({ ...f, md5: md5(fs.readFileSync(path.join(mirror, f.file))) }));
      const factory = { ...mnistFactory, download: { ...spec, files } };
      const r = await downloadDataset(factory, { dataDir, mirror, quiet: true });
      expect(mnistFactory.load({ dir: r.dir }).train.count).toBe(4);
    } finally {
      fs.rmSync(mirror, { recursive: true, force: true });
    }
  });
});
