import * as tf from '@tensorflow/tfjs';
import * as fs from 'fs';
import * as path from 'path';
import { useBackend } from '../backend';
import { cifar10Factory } from './cifar10';
import { BatchLoader } from './loader';
import { searchSplit } from './split';
import { classCounts } from './stats';
import { describeWithShared, sharedPath } from './test-utils/shared';

/** The shared CIFAR-10 subset (2 training batches + test batch), beside the repository. */
const DIR = sharedPath('cifar10-jpeg');
const present = fs.existsSync(path.join(DIR, 'test_batch.bin'));

describeWithShared('cifar10-jpeg/test_batch.bin', 'the real CIFAR-10 tests')('CIFAR-10 subset in ../shared/data/cifar10-jpeg', () => {
  const d = present ? cifar10Factory.load({ dir: DIR }) : null!;

  beforeAll(async () => {
    await useBackend('cpu');
  });

  it('has 20,000 train / 10,000 test images, 2,000 / 1,000 per class', () => {
    expect(d.train.count).toBe(20000);
    expect(d.test.count).toBe(10000);
    expect(classCounts(d.train, 10)).toEqual(new Array(10).fill(2000));
    expect(classCounts(d.test, 10)).toEqual(new Array(10).fill(1000));
    expect(d.classNames).toEqual(['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck']);
  });

  it('stores record 12,345 as HWC with the right label (checked against the raw file)', () => {
    const raw = fs.readFileSync(path.join(DIR, 'data_batch_2.bin')).subarray(2345 * 3073, 2346 * 3073);
    expect(d.train.labels[12345]).toBe(raw[0]);
    for (const p of [0, 517, 1023]) {
      for (let c = 0; c < 3; c++) expect(d.train.images[12345 * 3072 + 3 * p + c]).toBe(raw[1 + c * 1024 + p]);
    }
  });

  it('serves augmented search batches from both halves without leaking tensors', () => {
    const split = searchSplit(d.train.count, 0.5, 0);
    const aug = { crop: 4, flip: true };
    const w = new BatchLoader(d, 'train', split.weights, { batchSize: 64, seed: 1, augment: aug });
    const a = new BatchLoader(d, 'train', split.arch, { batchSize: 64, seed: 2, augment: aug });
    expect(w.batchesPerEpoch).toBe(157); // ceil(10,000 / 64): DARTS keeps the last partial batch
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      const bw = w.next();
      const ba = a.next();
      expect(bw.x.shape).toEqual([64, 32, 32, 3]);
      tf.dispose([bw.x, bw.y, ba.x, ba.y]);
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('normalises with the CIFAR-10 statistics: per-channel mean ~0 and std ~1 over the training images', () => {
    const loader = new BatchLoader(d, 'train', null, { batchSize: 1000, seed: 0, shuffle: false });
    const sum = [0, 0, 0];
    const sq = [0, 0, 0];
    for (let s = 0; s < loader.batchesPerEpoch; s++) {
      const b = loader.nextHost();
      for (let i = 0; i < b.x.length; i++) {
        sum[i % 3] += b.x[i];
        sq[i % 3] += b.x[i] * b.x[i];
      }
    }
    const n = d.train.count * 1024;
    for (let c = 0; c < 3; c++) {
      const mean = sum[c] / n;
      expect(Math.abs(mean)).toBeLessThan(0.02);
      expect(Math.sqrt(sq[c] / n - mean * mean)).toBeCloseTo(1, 1);
    }
  });
});
