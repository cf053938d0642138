import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../backend';
import { axisGeom, convReference, randomArr4 } from '../backend/test-utils/reference';
import { expectMatches, liveCounts, tensor4 } from '../backend/test-utils/tf-helpers';
import { backpropHonoursDilation } from '../backend/patches';
import { ATROUS_IMPLEMENTATIONS, convOutputSize, dilatedConv2d, dilatedDepthwiseConv2d, Pair2 } from './dilated';

type Pair = [number, number];
interface Case { label: string; n: number; h: number; w: number; k: number; s: Pair; p: Pair; d: Pair; m: number }

const CASES: Case[] = [];
const add = (n: number, h: number, w: number, k: number, s: Pair, p: Pair, d: Pair, m = 1) =>
  CASES.push({ label: `n${n} ${h}x${w} k${k} s${s} p${p} d${d} m${m}`, n, h, w, k, s, p, d, m });
// DARTS dil_conv_3x3 and dil_conv_5x5, normal (stride 1) and reduction (stride 2) cells, odd and even sizes.
for (const [s, n] of [[1, 2], [2, 1]]) {
  add(n, 9, 8, 3, [s, s], [2, 2], [2, 2]);
  add(n, 11, 10, 5, [s, s], [4, 4], [2, 2], 2);
}
// Kernels 1/3/5, strides 1/2, dilations 1/2/3 (3 is coprime with stride 2), no / small / large padding, mixed per-axis values.
for (const k of [1, 3, 5]) for (const s of [1, 2]) for (const d of [1, 2, 3]) {
  const big = (k - 1) * d > 8; // k 5, dilation 3 spans 13 pixels
  add(1 + (k % 2), big ? 15 : 9, big ? 13 : 7, k, [s, s], [1, 1], [d, d], 1 + ((k + d) % 2));
}
add(2, 8, 9, 3, [2, 1], [0, 3], [2, 3]);
add(1, 7, 9, 3, [1, 2], [2, 0], [4, 2], 2);

type Variant = 'public' | keyof typeof ATROUS_IMPLEMENTATIONS;

function check(c: Case, depthwise: boolean, variant: Variant): void {
  const gh = axisGeom(c.h, c.k, c.s[0], c.d[0], c.p[0]);
  const gw = axisGeom(c.w, c.k, c.s[1], c.d[1], c.p[1]);
  expect([gh.outSize, gw.outSize]).toEqual([convOutputSize(c.h, c.k, c.s[0], c.p[0], c.d[0]), convOutputSize(c.w, c.k, c.s[1], c.p[1], c.d[1])]);
  const x = randomArr4([c.n, c.h, c.w, 3], 31);
  const f = randomArr4([c.k, c.k, 3, depthwise ? c.m : 4], 32);
  const dy = randomArr4([c.n, gh.outSize, gw.outSize, depthwise ? 3 * c.m : 4], 33);
  const ref = convReference(x, f, gh, gw, depthwise, dy);
  const [xt, ft, dyt] = [tensor4(x), tensor4(f), tensor4(dy)];
  const op = depthwise ? dilatedDepthwiseConv2d : dilatedConv2d;
  const y = (a: tf.Tensor, b: tf.Tensor) =>
    variant === 'public'
      ? op(a as tf.Tensor4D, b as tf.Tensor4D, c.s, c.p, c.d)
      : ATROUS_IMPLEMENTATIONS[variant](a as tf.Tensor4D, b as tf.Tensor4D, c.s, c.p, c.d, depthwise);
  expectMatches(y(xt, ft), ref.y, `${c.label} forward`);
  const [dx, df] = tf.grads((a: tf.Tensor, b: tf.Tensor) => y(a, b).mul(dyt).sum())([xt, ft]);
  expectMatches(dx, ref.dx, `${c.label} dx`);
  expectMatches(df, ref.df, `${c.label} dfilter`);
  tf.dispose([xt, ft, dyt]);
}

// 'public' picks 'kernels' on wasm (tfnas's backprop kernels honour dilation) and 'space-to-batch'
// elsewhere; the composition is also checked on wasm, where it is the fallback.
const VARIANTS: [string, Variant, boolean][] = [
  ['cpu', 'public', false],
  ['wasm', 'public', true],
  ['wasm', 'space-to-batch', true],
];

describe.each(VARIANTS)('dilated convolutions on %s (%s) vs float64 reference', (backend, variant, direct) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  test('takes the expected implementation', () => expect(backpropHonoursDilation()).toBe(direct));
  test.each(CASES.map((c) => [c.label, c] as const))('dense %s', (_l, c) => check(c, false, variant));
  test.each(CASES.map((c) => [c.label, c] as const))('depthwise %s', (_l, c) => check(c, true, variant));

  test('repeated gradient steps leak no tensors', () => {
    const x = tensor4(randomArr4([2, 8, 8, 3], 34));
    const f = tensor4(randomArr4([3, 3, 3, 1], 35));
    const grads = () => tf.grads((a: tf.Tensor, b: tf.Tensor) => dilatedDepthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 2, 2).square().sum())([x, f]);
    tf.dispose(grads());
    const before = liveCounts();
    for (let i = 0; i < 3; i++) tf.dispose(grads());
    expect(liveCounts()).toEqual(before);
    tf.dispose([x, f]);
  });
});

describe('dilated convolution arguments', () => {
  let x: tf.Tensor4D;
  let f: tf.Tensor4D;
  beforeAll(async () => {
    await useBackend('wasm');
    x = tf.zeros([1, 5, 5, 2]);
    f = tf.zeros([3, 3, 2, 1]);
  });
  afterAll(() => tf.dispose([x, f]));
  test.each<[string, Pair2, Pair2, Pair2, RegExp]>([
    ['zero stride', 0, 0, 1, /stride must be an integer ≥ 1/],
    ['negative pad', 1, -1, 1, /pad must be an integer ≥ 0/],
    ['fractional dilation', 1, 0, 1.5, /dilation must be an integer ≥ 1/],
    ['too small input', 1, 0, 3, /too small for kernel 3×3/],
  ])('%s is refused with a clear message', (_l, s, p, d, msg) => {
    expect(() => dilatedDepthwiseConv2d(x, f, s, p, d)).toThrow(msg);
  });
  test('channel mismatch is refused', () => {
    const g: tf.Tensor4D = tf.zeros([3, 3, 4, 1]);
    expect(() => dilatedConv2d(x, g, 1, 2, 2)).toThrow(/x has 2 channels but the filter expects 4/);
    g.dispose();
  });
});

// Shapes are reference-checked above; this pins the DARTS sizes (32×32 input, PyTorch formula).
test('DARTS dil_conv output sizes', () => {
  const shapes: [number, number, number, number][] = [[3, 1, 2, 32], [3, 2, 2, 16], [5, 1, 4, 32], [5, 2, 4, 16]];
  for (const [k, s, p, out] of shapes) expect(convOutputSize(32, k, s, p, 2)).toBe(out);
});
