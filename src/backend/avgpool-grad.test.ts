import * as tf from '@tensorflow/tfjs';
import { useBackend } from './index';
import { poolReference, randomArr4 } from './test-utils/reference';
import { expectMatches, geoms, liveCounts, PAD_CASES, runKernel, tensor4 } from './test-utils/tf-helpers';
import { padFits as fits } from './test-utils/pool-cases';

const H = 9;
const W = 7;
const CASES = [1, 3, 5].flatMap((k) =>
  [1, 2].flatMap((s) => PAD_CASES.filter((p) => fits(k, p)).map((p) => [`k${k} s${s} ${p.name}`, k, s, p] as const)),
);

describe.each(['cpu', 'wasm'])('pool gradients (AvgPoolGrad, MaxPoolGrad) on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  test('the issue example: corner gradient of avgPool(ones[1,3,3,1], 3, 1, same) is 1/4+1/6+1/6+1/9', () => {
    const ones = tf.ones([1, 3, 3, 1]);
    const g = tf.grad((x: tf.Tensor) => tf.avgPool(x as tf.Tensor4D, 3, 1, 'same').sum())(ones);
    const v = g.dataSync();
    // Output windows hold 4 (corners), 6 (edges) or 9 (centre) in-bounds inputs.
    expect(v[0]).toBeCloseTo(1 / 4 + 1 / 6 + 1 / 6 + 1 / 9, 6); // ≈ 0.694; the built-in gave 4/9
    expect(v[1]).toBeCloseTo(2 / 4 + 3 / 6 + 1 / 9, 6); // top edge
    expect(v[4]).toBeCloseTo(4 / 4 + 4 / 6 + 1 / 9, 6); // centre
    tf.dispose([ones, g]);
  });

  test.each(CASES)('kernel vs float64 reference: %s', (label, k, s, p) => {
    const [gh, gw] = geoms(H, W, k, s, 1, p);
    const x = randomArr4([2, H, W, 3], 21);
    const dy = randomArr4([2, gh.outSize, gw.outSize, 3], 22);
    const ref = poolReference(x, k, gh, gw, 'avg', dy);
    const attrs = { filterSize: [k, k], strides: [s, s], pad: p.tf, dimRoundingMode: p.rounding };
    const [xt, dyt] = [tensor4(x), tensor4(dy)];
    expectMatches(runKernel('AvgPool', { x: xt }, attrs), ref.y, `${label} forward (reference check)`);
    expectMatches(runKernel('AvgPoolGrad', { dy: dyt, input: xt }, attrs), ref.dx, `${label} grad`);
    tf.dispose([xt, dyt]);
  });

  test.each(['avg', 'max'] as const)("tf.grad of %sPool with a numeric pad and 'ceil' rounding (which the gradient is not told)", (kind) => {
    const x = randomArr4([2, 10, 8, 3], 25);
    const [gh, gw] = geoms(10, 8, 3, 2, 1, { name: 'pad1-ceil', tf: 1, rows: 1, cols: 1, rounding: 'ceil' });
    expect([gh.outSize, gw.outSize]).toEqual([6, 5]); // 'floor' would give 5×4
    const dy = randomArr4([2, 6, 5, 3], 26);
    const ref = poolReference(x, 3, gh, gw, kind, dy);
    const [xt, dyt] = [tensor4(x), tensor4(dy)];
    const pool = kind === 'avg' ? tf.avgPool : tf.maxPool;
    const f = (a: tf.Tensor) => pool(a as tf.Tensor4D, 3, 2, 1, 'ceil').mul(dyt).sum();
    expectMatches(tf.grad(f)(xt), ref.dx, `${kind}Pool dx`);
    tf.dispose([xt, dyt]);
  });

  test('tf.grad of avgPool (batch 3, odd size, stride 2, same) matches the reference; no leak', () => {
    const x = randomArr4([3, 7, 5, 2], 23);
    const dy = randomArr4([3, 4, 3, 2], 24);
    const ref = poolReference(x, 3, ...geoms(7, 5, 3, 2, 1, PAD_CASES[0]), 'avg', dy);
    const [xt, dyt] = [tensor4(x), tensor4(dy)];
    const f = (a: tf.Tensor) => tf.avgPool(a as tf.Tensor4D, 3, 2, 'same').mul(dyt).sum();
    expectMatches(tf.grad(f)(xt), ref.dx, 'avgPool dx');
    const before = liveCounts();
    for (let i = 0; i < 3; i++) tf.dispose(tf.grad(f)(xt));
    expect(liveCounts()).toEqual(before);
    tf.dispose([xt, dyt]);
  });
});
