import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../backend';
import { UsageError } from '../io/errors';
import { BatchLoader } from './loader';
import { searchSplit } from './split';
import { makeSynthetic } from './synthetic';

const data = makeSynthetic({ size: 8, channels: 3, classes: 4, trainCount: 50, testCount: 10, seed: 9 });
const aug = { crop: 2, flip: true, cutout: 4 };

describe('BatchLoader', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });

  it('yields NHWC float32 / int32 tensors, keeps the last partial batch, and leaks nothing over an epoch', () => {
    const loader = new BatchLoader(data, 'train', null, { batchSize: 16, seed: 1, augment: aug });
    expect(loader.batchesPerEpoch).toBe(4);
    const before = tf.memory().numTensors;
    const sizes: number[] = [];
    const seen: number[] = [];
    for (const b of loader.epochBatches()) {
      expect(b.x.dtype).toBe('float32');
      expect(b.y.dtype).toBe('int32');
      expect(b.x.shape.slice(1)).toEqual([8, 8, 3]);
      sizes.push(b.x.shape[0]);
      seen.push(...b.y.dataSync());
      tf.dispose([b.x, b.y]);
    }
    expect(tf.memory().numTensors).toBe(before);
    expect(sizes).toEqual([16, 16, 16, 2]);
    // Every image exactly once per epoch: the label histogram equals the split's.
    const hist = (ls: ArrayLike<number>) => Array.from(ls).reduce((h, l) => ((h[l] = (h[l] ?? 0) + 1), h), [] as number[]);
    expect(hist(seen)).toEqual(hist(data.train.labels));
    expect(loader.state).toEqual({ epoch: 0, step: 4, seed: 1, batchSize: 16, size: 50 });
  });

  it('dropLast drops the partial batch', () => {
    const loader = new BatchLoader(data, 'train', null, { batchSize: 16, seed: 1, dropLast: true });
    expect(loader.batchesPerEpoch).toBe(3);
    expect(() => new BatchLoader(data, 'test', null, { batchSize: 11, seed: 1, dropLast: true })).toThrow(UsageError);
  });

  it('visits each index once per epoch, in an order that changes with the epoch and is fixed by the seed', () => {
    const idx = searchSplit(50, 0.5, 0).arch;
    const a = new BatchLoader(data, 'train', idx, { batchSize: 8, seed: 4 });
    const b = new BatchLoader(data, 'train', idx, { batchSize: 8, seed: 4 });
    expect(Array.from(a.orderOf(0)).sort((x, y) => x - y)).toEqual(Array.from(idx));
    expect(a.orderOf(1)).not.toEqual(a.orderOf(0));
    expect(b.orderOf(1)).toEqual(a.orderOf(1));
    expect(new BatchLoader(data, 'train', idx, { batchSize: 8, seed: 5 }).orderOf(0)).not.toEqual(a.orderOf(0));
  });

  it('resumes at (epoch, step) with exactly the batches an uninterrupted run gives, without replay', () => {
    const opts = { batchSize: 16, seed: 7, augment: aug };
    const run = new BatchLoader(data, 'train', null, opts);
    const straight = Array.from({ length: 6 }, () => run.nextHost());
    const saved = JSON.parse(JSON.stringify(run.state)); // what a checkpoint holds after 6 batches
    expect(saved).toEqual({ epoch: 1, step: 2, seed: 7, batchSize: 16, size: 50 });
    straight.push(...Array.from({ length: 4 }, () => run.nextHost())); // crosses two epoch boundaries
    const resumed = new BatchLoader(data, 'train', null, opts);
    resumed.restore(saved);
    const rest = Array.from({ length: 4 }, () => resumed.nextHost());
    rest.forEach((b, i) => {
      expect(b.x).toEqual(straight[6 + i].x);
      expect(b.y).toEqual(straight[6 + i].y);
      expect([b.epoch, b.step]).toEqual([straight[6 + i].epoch, straight[6 + i].step]);
    });
    expect(straight.map((b) => b.epoch)).toEqual([0, 0, 0, 0, 1, 1, 1, 1, 2, 2]);
  });

  it('augmentation changes pixels and differs between epochs; no augmentation is plain normalisation', () => {
    const plain = new BatchLoader(data, 'test', null, { batchSize: 10, seed: 0, shuffle: false });
    const b = plain.nextHost();
    const [m, s] = [data.mean[1], data.std[1]];
    expect(b.x[1]).toBeCloseTo((data.test.images[1] / 255 - m) / s, 5);
    expect(Array.from(b.y)).toEqual(Array.from(data.test.labels));
    const augd = new BatchLoader(data, 'test', null, { batchSize: 10, seed: 0, shuffle: false, augment: aug });
    const e0 = augd.nextHost();
    const e1 = augd.nextHost();
    expect(e0.x).not.toEqual(b.x);
    expect(e1.x).not.toEqual(e0.x);
    expect(e1.y).toEqual(e0.y);
  });

  it('refuses a state from another configuration and bad positions', () => {
    const loader = new BatchLoader(data, 'train', null, { batchSize: 16, seed: 1 });
    expect(() => loader.restore({ epoch: 1, step: 0, seed: 2, batchSize: 16, size: 50 })).toThrow(/checkpoint has seed 2, this run has 1/);
    expect(() => loader.seek(0, 5)).toThrow(RangeError);
    expect(() => new BatchLoader(data, 'train', [0, 50], { batchSize: 4, seed: 0 })).toThrow(/index 50 outside/);
    expect(() => new BatchLoader(data, 'train', null, { batchSize: 0, seed: 0 })).toThrow(/--batch-size/);
  });

  it('two loaders side by side (DARTS weights + arch) do not leak', () => {
    const split = searchSplit(50, 0.5, 3);
    const w = new BatchLoader(data, 'train', split.weights, { batchSize: 8, seed: 1, augment: aug });
    const a = new BatchLoader(data, 'train', split.arch, { batchSize: 8, seed: 2, augment: aug });
    const before = tf.memory().numTensors;
    for (let epoch = 0; epoch < 2; epoch++) {
      for (const bw of w.epochBatches()) {
        const ba = a.next();
        tf.tidy(() => {
          bw.x.add(ba.x.mean()).sum();
        });
        tf.dispose([bw.x, bw.y, ba.x, ba.y]);
      }
    }
    expect(tf.memory().numTensors).toBe(before);
    expect(w.state.epoch).toBe(1);
  });
});
