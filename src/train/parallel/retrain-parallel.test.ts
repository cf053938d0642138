import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../../backend';
import { makeSynthetic } from '../../data/synthetic';
import { BatchLoader } from '../../data/loader';
import { builtinGenotype } from '../../space/builtin-genotypes';
import type { DartsGenotype } from '../../space/genotype-types';
import { retrain, RETRAIN_DEFAULTS } from '../retrain';
import { Trainer } from '../retrain-trainer';
import { ParallelRetrain } from './retrain-parallel';

/**
 * `tfnas train --workers 2`: two worker threads, each with its own wasm backend and a replica of the
 * retraining network. A batch made of two copies of the same samples splits into two equal shards
 * whose BatchNorm statistics are the whole batch's, so the data-parallel step must equal the
 * one-thread step on the whole batch.
 */
const DARTS_V2 = builtinGenotype('DARTS_V2') as DartsGenotype;
const CFG = { C: 4, layers: 3, numClasses: 4, auxiliary: true, inputShape: [8, 8, 3] as [number, number, number], seed: 0 };
const STEP = { momentum: 0.9, weightDecay: 3e-4, gradClip: 5, auxWeight: 0.4, recompute: 'none' as const };
const data = makeSynthetic({ size: 8, classes: 4, trainCount: 64, testCount: 32, seed: 1 });

beforeAll(async () => {
  await useBackend('wasm');
});

function doubled(): { x: tf.Tensor4D; y: tf.Tensor1D } {
  const b = new BatchLoader(data, 'train', null, { batchSize: 8, seed: 0 }).next();
  const out = { x: tf.concat([b.x, b.x]) as tf.Tensor4D, y: tf.concat([b.y, b.y]) as tf.Tensor1D };
  tf.dispose([b.x, b.y]);
  return out;
}

const values = (ts: Record<string, tf.Tensor>) => Object.fromEntries(Object.entries(ts).map(([k, t]) => [k, Array.from(t.dataSync())]));

test('a step on two shards equals the step on the whole batch; the replicas stay bit-identical', async () => {
  const b = doubled();
  const single = new Trainer(DARTS_V2, CFG, STEP);
  const main = new Trainer(DARTS_V2, CFG, STEP);
  const parallel = await ParallelRetrain.start(main, DARTS_V2, CFG, STEP, 'wasm', 2, 16);
  try {
    await parallel.push(main);
    const noDrop = { rate: 0, seed: 0, epoch: 0, step: 0 };
    let before = 0;
    for (let step = 0; step < 3; step++) {
      const one = await single.step(b.x, b.y, 0.05, 0, step);
      const two = await parallel.step(b.x, b.y, 0.05, noDrop, 0, step);
      expect(two.loss).toBeCloseTo(one.loss, 5);
      expect(two.correct).toBe(one.correct);
      // The one-thread trainer makes its momentum buffers in its first step; nothing grows after.
      if (step === 0) before = tf.memory().numTensors;
    }
    expect(tf.memory().numTensors).toBe(before);
    const [r0, r1] = [await parallel.pool.getState(0), await parallel.pool.getState(1)];
    expect(values(r1.tensors)).toEqual(values(r0.tensors));
    await parallel.pull(main);
    const want = values(single.stateTensors());
    const got = values(main.stateTensors());
    // Running variances fold in PyTorch's unbiased factor m/(m−1) with m the count each replica
    // normalised with (a shard's, as DataParallel does), not the whole batch's: equal up to that factor.
    const tol = (k: string) => (k.endsWith('/var') ? 0.1 : 2e-5);
    const off = Object.keys(want).filter((k) => !want[k].every((v, i) => Math.abs(v - got[k][i]) <= tol(k) * Math.max(1, Math.abs(v))));
    expect(off).toEqual([]);
    expect(Object.keys(want).filter((k) => !k.endsWith('/var')).length).toBeGreaterThan(100);
    tf.dispose([...Object.values(r0.tensors), ...Object.values(r1.tensors)]);
  } finally {
    await parallel.close();
    single.dispose();
    main.dispose();
    tf.dispose([b.x, b.y]);
  }
}, 120_000);

test('retrain with two workers trains, tests and saves the model, leaving no tensor behind', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tfnas-retrain-workers-'));
  const before = tf.memory().numTensors;
  try {
    const base = { ...RETRAIN_DEFAULTS, genotype: DARTS_V2, genotypeName: 'DARTS_V2', C: 4, layers: 3, batchSize: 16, epochs: 2, lr: 0.05, cropPadding: 1, cutout: 0, log: () => undefined };
    const runDir = path.join(root, 'w2');
    const r = await retrain(data, { ...base, runDir, resume: false, workers: 2 });
    expect(r.rows.map((row) => Number(row.epoch))).toEqual([1, 2]);
    // The replicas trained: the main thread's network (pulled before the test pass) is not the initial one.
    expect(Number(r.rows[1].train_loss)).toBeLessThan(Number(r.rows[0].train_loss) + 1);
    expect(fs.existsSync(path.join(runDir, 'model', 'model.json'))).toBe(true);
    const fresh = await retrain(data, { ...base, epochs: 1, runDir: path.join(root, 'untrained'), resume: false, workers: 1, lr: 0 });
    expect(r.test.loss).not.toBeCloseTo(fresh.test.loss, 3);
    expect(tf.memory().numTensors).toBe(before);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}, 300_000);
