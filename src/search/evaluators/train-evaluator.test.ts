import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../../backend';
import { makeSynthetic } from '../../data/synthetic';
import { Rng } from '../../space/rng';
import { dartsSample } from '../../space/darts-space';
import { holdOutDataset, TrainEvaluator } from './train-evaluator';
import { tmpDir } from '../test-utils/synthetic';

describe('train evaluator', () => {
  let dir: string;
  beforeAll(async () => {
    await useBackend('wasm');
    dir = tmpDir('train-eval');
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('scores on a held-out part of the training set, never the test set', () => {
    const d = makeSynthetic({ size: 8, trainCount: 40, testCount: 10 });
    const h = holdOutDataset(d, 0.5, 3);
    expect(h.train.count + h.test.count).toBe(40);
    expect(h.test.count).toBe(20);
    // Every held-out image is a training image of the original set.
    const size = 8 * 8 * 3;
    const originals = new Set(Array.from({ length: 40 }, (_, i) => Buffer.from(d.train.images.subarray(i * size, (i + 1) * size)).toString('hex')));
    for (let i = 0; i < h.test.count; i++) expect(originals.has(Buffer.from(h.test.images.subarray(i * size, (i + 1) * size)).toString('hex'))).toBe(true);
  });

  it('trains a candidate briefly and returns its held-out accuracy in %, in a per-query folder', async () => {
    const ev = new TrainEvaluator({ dataset: makeSynthetic({ size: 8, trainCount: 32, testCount: 8 }), runDir: dir, seed: 1, epochs: 1, C: 4, layers: 3, batchSize: 16 });
    const before = tf.memory().numTensors;
    const r = await ev.evaluate(dartsSample(new Rng(2)), 7);
    expect(r.signal).toBeGreaterThanOrEqual(0);
    expect(r.signal).toBeLessThanOrEqual(100);
    expect(r.testAccuracy).toBeUndefined();
    expect(fs.existsSync(path.join(dir, 'candidates', '0007', 'metrics.json'))).toBe(true);
    expect(ev.queries).toBe(1);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects bad training lengths by option name', () => {
    expect(() => new TrainEvaluator({ dataset: makeSynthetic({ size: 8, trainCount: 8, testCount: 4 }), runDir: dir, seed: 0, epochs: 0 })).toThrow(/--train-epochs: expected a positive integer, got 0/);
  });
});
