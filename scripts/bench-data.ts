/**
 * Memory and speed of the data pipeline on a full-size CIFAR-10 (60,000 images).
 *
 *   npx ts-node --transpile-only scripts/bench-data.ts [cifar-dir]
 *
 * Without the full dataset, a 5-batch folder is assembled from the shared 2-batch subset
 * (../shared/data/cifar10-jpeg) with symlinks, so the loader reads 50,000 + 10,000 images. Reports
 * the growth of rss and arrayBuffers from loading, and the speed of building augmented batches.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { cifar10Factory } from '../src/data/cifar10';
import { BatchLoader } from '../src/data/loader';
import { searchSplit } from '../src/data/split';

const MB = 1024 * 1024;

function fullSizeDir(): { dir: string; cleanup: () => void } {
  const given = process.argv[2];
  if (given) return { dir: given, cleanup: () => undefined };
  const shared = path.resolve(__dirname, '../../shared/data/cifar10-jpeg');
  if (!fs.existsSync(path.join(shared, 'test_batch.bin'))) {
    console.error(`no CIFAR-10 data: pass a folder, or provide ${shared}`);
    process.exit(2);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tfnas-bench-data-'));
  for (let i = 1; i <= 5; i++) fs.symlinkSync(path.join(shared, `data_batch_${((i - 1) % 2) + 1}.bin`), path.join(dir, `data_batch_${i}.bin`));
  fs.symlinkSync(path.join(shared, 'test_batch.bin'), path.join(dir, 'test_batch.bin'));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

function mem() {
  (global as { gc?: () => void }).gc?.();
  const m = process.memoryUsage();
  return { rss: m.rss / MB, arrayBuffers: m.arrayBuffers / MB, heapUsed: m.heapUsed / MB };
}

function main(): void {
  const { dir, cleanup } = fullSizeDir();
  try {
    const before = mem();
    const t0 = Date.now();
    const d = cifar10Factory.load({ dir });
    const loadSeconds = (Date.now() - t0) / 1000;
    const after = mem();
    const images = d.train.count + d.test.count;
    console.log(`loaded ${d.train.count} train + ${d.test.count} test images in ${loadSeconds.toFixed(2)} s`);
    console.log(`rss          ${before.rss.toFixed(1)} -> ${after.rss.toFixed(1)} MB (+${(after.rss - before.rss).toFixed(1)})`);
    console.log(`arrayBuffers ${before.arrayBuffers.toFixed(1)} -> ${after.arrayBuffers.toFixed(1)} MB (+${(after.arrayBuffers - before.arrayBuffers).toFixed(1)})`);
    console.log(`uint8 payload ${((images * 3073) / MB).toFixed(1)} MB (images + labels)`);

    const split = searchSplit(d.train.count, 0.5, 0);
    const loader = new BatchLoader(d, 'train', split.weights, { batchSize: 64, seed: 0, augment: { crop: 4, flip: true, cutout: 16 } });
    const t1 = Date.now();
    const n = 200;
    for (let i = 0; i < n; i++) loader.nextHost();
    const s = (Date.now() - t1) / 1000;
    console.log(`augmented batches of 64 (crop+flip+cutout, host arrays): ${(n / s).toFixed(1)} batches/s, ${((n * 64) / s).toFixed(0)} images/s`);
    const peak = mem();
    console.log(`rss after batching ${peak.rss.toFixed(1)} MB`);
  } finally {
    cleanup();
  }
}

main();
