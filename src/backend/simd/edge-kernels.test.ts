import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../index';
import { weightedSum } from '../../nets/supernet-edge';
import { applyBnUpdates, BnUpdate } from '../../ops/context';
import { liveCounts } from '../test-utils/tf-helpers';

/** Runs `f` with the fused kernels on (default) or off (TFNAS_SIMD=0, the tfjs-ops path). */
function withSimd<T>(on: boolean, f: () => T): T {
  if (on) return f();
  process.env.TFNAS_SIMD = '0';
  try {
    return f();
  } finally {
    delete process.env.TFNAS_SIMD;
  }
}

const maxRelDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  const scale = Math.max(1, ...Array.from(b, Math.abs));
  return Math.max(...Array.from(a, (v, i) => Math.abs(v - b[i]))) / scale;
};

beforeAll(async () => {
  await useBackend('wasm');
});

describe('fused mixed-edge weighted sum equals tfjs ops', () => {
  // DARTS: 7 of 8 ops (none skipped); NB201: 4 of 5; one term; sizes with a remainder of 1–3
  // floats after the 4-wide vectors and more than one 1024-element chunk.
  const cases: [string, [number, number, number, number], number[]][] = [
    ['darts 7 of 8', [2, 9, 7, 5], [1, 2, 3, 4, 5, 6, 7]],
    ['nb201 4 of 5', [3, 8, 8, 6], [1, 2, 3, 4]],
    ['one term', [1, 3, 3, 3], [2]],
    ['repeated index', [2, 4, 4, 4], [0, 0, 3]],
  ];
  test.each(cases)('%s', (_label, shape, indices) => {
    const row = tf.randomNormal([8], 0, 1, 'float32', 1) as tf.Tensor1D;
    const terms = indices.map((_, k) => tf.randomNormal(shape, 0, 1, 'float32', 10 + k) as tf.Tensor4D);
    const dy = tf.randomNormal(shape, 0, 1, 'float32', 2);
    const before = liveCounts();
    const run = (on: boolean) => withSimd(on, () => {
      const { value, grads } = tf.valueAndGrads((r: tf.Tensor, ...ts: tf.Tensor[]) =>
        tf.sum(tf.mul(weightedSum(ts as tf.Tensor4D[], r as tf.Tensor1D, indices), dy)) as tf.Scalar)([row, ...terms]);
      const out = [value, ...grads].map((t) => t.dataSync().slice());
      tf.dispose([value, ...grads]);
      return out;
    });
    const fused = run(true);
    const ops = run(false);
    fused.forEach((v, i) => expect(maxRelDiff(v, ops[i])).toBeLessThan(1e-5));
    expect(liveCounts()).toEqual(before);
    tf.dispose([row, ...terms, dy]);
  });

  test('terms of different shapes are refused by name', () => {
    const row = tf.ones([3]) as tf.Tensor1D;
    const [a, b] = [tf.ones([1, 2, 2, 1]) as tf.Tensor4D, tf.ones([1, 2, 2, 2]) as tf.Tensor4D];
    expect(() => weightedSum([a, b], row, [0, 1])).toThrow(/TfnasWeightedSum: expected terms t0…t1 of one shape/);
    tf.dispose([row, a, b]);
  });
});

describe('fused BatchNorm running statistics equal tfjs ops', () => {
  test('momentum 0.1 and the unbiased variance, as PyTorch', () => {
    const run = (on: boolean) => withSimd(on, () => {
      const buffers = { 'bn/mean': tf.variable(tf.tensor1d([0.5, -1, 2])), 'bn/var': tf.variable(tf.tensor1d([1, 2, 0.5])) };
      const u: BnUpdate = { name: 'bn', mean: tf.tensor1d([1, 0, -1]), variance: tf.tensor1d([4, 1, 0.25]), count: 5 };
      applyBnUpdates(buffers, [u]);
      const out = [buffers['bn/mean'].dataSync().slice(), buffers['bn/var'].dataSync().slice()];
      tf.dispose(Object.values(buffers));
      return out;
    });
    const fused = run(true);
    expect(maxRelDiff(fused[0], [0.55, -0.9, 1.7])).toBeLessThan(1e-6);
    expect(maxRelDiff(fused[1], [0.9 + 0.1 * 1.25 * 4, 1.8 + 0.1 * 1.25, 0.45 + 0.1 * 1.25 * 0.25])).toBeLessThan(1e-6);
    const ops = run(false);
    fused.forEach((v, i) => expect(maxRelDiff(v, ops[i])).toBeLessThan(1e-6));
  });
});
