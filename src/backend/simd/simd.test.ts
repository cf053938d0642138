import * as tf from '@tensorflow/tfjs';
import { createHash } from 'crypto';
import { readFileSync } from 'fs';
import { join } from 'path';
import { useBackend } from '../index';
import { KERNELS_C_SHA256 } from './kernels-wasm';
import { simdKernels } from './simd';
import { BN_TRAIN_KERNEL, fusedKernelsActive, SIMD_WASM_KERNELS } from './simd-kernels';
import { convReference, poolReference, randomArr4 } from '../test-utils/reference';
import { expectMatches, geoms, liveCounts, PAD_CASES, runKernel, tensor4 } from '../test-utils/tf-helpers';
import { batchNormTrainComposed, batchNormTrainFused } from '../../ops/context';

// Channel counts that take every code path of kernels.c: 20 = one 16-wide block + one 4-wide
// vector, 5 = one vector + a scalar remainder, 3 = scalar only.
const CHANNELS = [3, 5, 20];
// Depthwise input gradients at stride 1 switch to another formulation from 16 channels on.
const DW_CHANNELS = [...CHANNELS, 16, 33];
const [H, W] = [9, 7];

beforeAll(async () => {
  await useBackend('wasm');
});

describe('the SIMD module', () => {
  test('loads, and was built from the current kernels.c (run scripts/build-simd.sh after editing it)', () => {
    expect(simdKernels(tf.backend())).not.toBeNull();
    const source = readFileSync(join(__dirname, 'kernels.c'));
    expect(createHash('sha256').update(source).digest('hex')).toBe(KERNELS_C_SHA256);
  });

  test('every SIMD kernel is the one registered for wasm', () => {
    for (const k of SIMD_WASM_KERNELS) expect(tf.getKernel(k.kernelName, 'wasm')?.kernelFunc).toBe(k.kernelFunc);
  });

  test('an unknown function is refused by name', () => {
    expect(() => simdKernels(tf.backend())!.call('no_such_kernel', [])).toThrow(/no function 'no_such_kernel'/);
  });
});

describe('SIMD depthwise backprops vs float64 reference (multiplier 1)', () => {
  const pads = [PAD_CASES[0], PAD_CASES[3], PAD_CASES[4]];
  const cases = DW_CHANNELS.flatMap((C) => [3, 5].flatMap((k) => [1, 2].flatMap((s) => [1, 2].flatMap((d) =>
    pads.map((p) => [`C${C} k${k} s${s} d${d} ${p.name}`, C, k, s, d, p] as const)))));
  test.each(cases)('%s', (label, C, k, s, d, p) => {
    const [gh, gw] = geoms(H, W, k, s, d, p);
    const x = randomArr4([2, H, W, C], 11);
    const f = randomArr4([k, k, C, 1], 12);
    const dy = randomArr4([2, gh.outSize, gw.outSize, C], 13);
    const ref = convReference(x, f, gh, gw, true, dy);
    const [xt, ft, dyt] = [tensor4(x), tensor4(f), tensor4(dy)];
    const attrs = { strides: [s, s], dilations: [d, d], pad: p.tf, dimRoundingMode: p.rounding, dataFormat: 'NHWC' };
    const before = liveCounts();
    expectMatches(runKernel('DepthwiseConv2dNativeBackpropFilter', { x: xt, dy: dyt }, { ...attrs, filterShape: f.shape }), ref.df, `${label} filter`);
    expectMatches(runKernel('DepthwiseConv2dNativeBackpropInput', { dy: dyt, filter: ft }, { ...attrs, inputShape: x.shape }), ref.dx, `${label} input`);
    expect(liveCounts()).toEqual(before);
    tf.dispose([xt, ft, dyt]);
  });
});

describe('SIMD depthwise convolution vs float64 reference (multiplier 1)', () => {
  const cases = CHANNELS.flatMap((C) => [1, 3, 5].flatMap((k) => [1, 2].flatMap((s) => [1, 2].flatMap((d) =>
    PAD_CASES.map((p) => [`C${C} k${k} s${s} d${d} ${p.name}`, C, k, s, d, p] as const)))))
    .filter(([, , k, s, d, p]) => geoms(H, W, k, s, d, p).every((g) => g.outSize >= 1)); // the window must fit
  test.each(cases)('%s', (label, C, k, s, d, p) => {
    const [gh, gw] = geoms(H, W, k, s, d, p);
    const x = randomArr4([2, H, W, C], 14);
    const f = randomArr4([k, k, C, 1], 15);
    const ref = convReference(x, f, gh, gw, true);
    const [xt, ft] = [tensor4(x), tensor4(f)];
    const attrs = { strides: [s, s], dilations: [d, d], pad: p.tf, dimRoundingMode: p.rounding, dataFormat: 'NHWC' };
    expectMatches(runKernel('DepthwiseConv2dNative', { x: xt, filter: ft }, attrs), ref.y, label);
    tf.dispose([xt, ft]);
  });

  test('a channel multiplier of 2 goes to the backend\'s own kernel, and matches', () => {
    const [gh, gw] = geoms(H, W, 3, 1, 1, PAD_CASES[0]);
    const x = randomArr4([2, H, W, 5], 16);
    const f = randomArr4([3, 3, 5, 2], 17);
    const [xt, ft] = [tensor4(x), tensor4(f)];
    expectMatches(runKernel('DepthwiseConv2dNative', { x: xt, filter: ft }, { strides: 1, dilations: 1, pad: 'same', dataFormat: 'NHWC' }), convReference(x, f, gh, gw, true).y, 'multiplier 2');
    tf.dispose([xt, ft]);
  });
});

describe('SIMD dense convolution filter gradient vs float64 reference', () => {
  // [Cin, Cout]: blocks of 4×8 with remainders on both sides, and scalar-only.
  const channelPairs = [[5, 20], [8, 9], [3, 4]];
  const cases = channelPairs.flatMap(([ci, co]) => [1, 3].flatMap((k) => [1, 2].flatMap((s) => [1, 2].flatMap((d) =>
    [PAD_CASES[0], PAD_CASES[1], PAD_CASES[4]].map((p) => [`Cin${ci} Cout${co} k${k} s${s} d${d} ${p.name}`, ci, co, k, s, d, p] as const)))));
  test.each(cases)('%s', (label, ci, co, k, s, d, p) => {
    const [gh, gw] = geoms(H, W, k, s, d, p);
    const x = randomArr4([2, H, W, ci], 41);
    const f = randomArr4([k, k, ci, co], 42);
    const dy = randomArr4([2, gh.outSize, gw.outSize, co], 43);
    const ref = convReference(x, f, gh, gw, false, dy);
    const [xt, dyt] = [tensor4(x), tensor4(dy)];
    const attrs = { strides: [s, s], dilations: [d, d], pad: p.tf, dimRoundingMode: p.rounding, dataFormat: 'NHWC', filterShape: f.shape };
    expectMatches(runKernel('Conv2DBackpropFilter', { x: xt, dy: dyt }, attrs), ref.df, label);
    tf.dispose([xt, dyt]);
  });

  test('a 1×1 convolution over more pixels than one row chunk (the sums run in chunks of 128 rows)', () => {
    const x = randomArr4([3, 16, 15, 12], 44);
    const f = randomArr4([1, 1, 12, 16], 45);
    const [gh, gw] = geoms(16, 15, 1, 1, 1, PAD_CASES[1]);
    const dy = randomArr4([3, 16, 15, 16], 46);
    const [xt, dyt] = [tensor4(x), tensor4(dy)];
    const attrs = { strides: 1, pad: 'valid', dataFormat: 'NHWC', filterShape: f.shape };
    expectMatches(runKernel('Conv2DBackpropFilter', { x: xt, dy: dyt }, attrs), convReference(x, f, gh, gw, false, dy).df, '1x1 720 rows');
    tf.dispose([xt, dyt]);
  });
});

describe('SIMD pooling gradients vs float64 reference', () => {
  const cases = CHANNELS.flatMap((C) => (['max', 'avg'] as const).flatMap((kind) => [1, 2].flatMap((s) =>
    [PAD_CASES[0], PAD_CASES[2]].map((p) => [`${kind} C${C} s${s} ${p.name}`, kind, C, s, p] as const))));
  test.each(cases)('%s', (label, kind, C, s, p) => {
    const [gh, gw] = geoms(H, W, 3, s, 1, p);
    const x = randomArr4([2, H, W, C], 21);
    const dy = randomArr4([2, gh.outSize, gw.outSize, C], 22);
    const ref = poolReference(x, 3, gh, gw, kind, dy);
    const attrs = { filterSize: [3, 3], strides: [s, s], pad: p.tf };
    const [xt, dyt] = [tensor4(x), tensor4(dy)];
    const y = runKernel(kind === 'max' ? 'MaxPool' : 'AvgPool', { x: xt }, attrs);
    const grad = kind === 'max' ? runKernel('MaxPoolGrad', { dy: dyt, input: xt, output: y }, attrs) : runKernel('AvgPoolGrad', { dy: dyt, input: xt }, attrs);
    expectMatches(grad, ref.dx, label);
    tf.dispose([xt, dyt, y]);
  });
});

describe('fused batch normalisation equals the composed one', () => {
  const shapes: [number, number, number, number][] = [[2, 5, 7, 20], [3, 4, 4, 5], [64, 8, 8, 3]];
  test.each(shapes.flatMap((shape) => [false, true].map((affine) => [`${shape.join('x')}${affine ? ' affine' : ''}`, shape, affine] as const)))('%s', (_l, shape, affine) => {
    expect(fusedKernelsActive()).toBe(true);
    // An offset mean checks that the variance is taken around the mean (no cancellation).
    const x = tf.tidy(() => tf.add(tf.mul(tf.randomNormal(shape, 0, 1, 'float32', 1), 3), 100) as tf.Tensor4D);
    const dy = tf.randomNormal(shape, 0, 1, 'float32', 2) as tf.Tensor4D;
    const gamma = tf.randomUniform([shape[3]], 0.5, 1.5, 'float32', 3) as tf.Tensor1D;
    const beta = tf.randomNormal([shape[3]], 0, 1, 'float32', 4) as tf.Tensor1D;
    const before = tf.memory().numTensors;
    const run = (fn: typeof batchNormTrainFused) => {
      const stats: tf.Tensor[] = [];
      const f = (a: tf.Tensor, g?: tf.Tensor, b?: tf.Tensor) => {
        const r = fn(a as tf.Tensor4D, g as tf.Tensor1D | undefined, b as tf.Tensor1D | undefined);
        stats.push(r.mean, r.variance);
        return tf.sum(tf.mul(r.y, dy)) as tf.Scalar;
      };
      const { value, grads } = tf.valueAndGrads(f)(affine ? [x, gamma, beta] : [x]);
      const all = [value, ...stats, ...grads];
      const values = all.map((t) => Array.from(t.dataSync()));
      tf.dispose(all);
      return values;
    };
    const fused = run(batchNormTrainFused);
    const composed = run(batchNormTrainComposed);
    fused.forEach((v, i) => {
      const scale = Math.max(1, ...composed[i].map(Math.abs));
      const err = Math.max(...v.map((a, j) => Math.abs(a - composed[i][j]))) / scale;
      expect(err).toBeLessThan(2e-4);
    });
    expect(tf.memory().numTensors).toBeLessThanOrEqual(before);
    tf.dispose([x, dy, gamma, beta]);
  });

  test('repeated fused steps leave no tensors or backend buffers behind', () => {
    const x = tf.randomNormal([4, 6, 6, 8]) as tf.Tensor4D;
    const step = () => tf.tidy(() => {
      const g = tf.grad((a: tf.Tensor) => {
        const r = batchNormTrainFused(a as tf.Tensor4D);
        tf.dispose([r.mean, r.variance]);
        return tf.sum(tf.square(r.y)) as tf.Scalar;
      })(x);
      g.dataSync();
    });
    step();
    const before = liveCounts();
    for (let i = 0; i < 5; i++) step();
    expect(liveCounts()).toEqual(before);
    x.dispose();
  });
});

describe('without WebAssembly SIMD (TFNAS_SIMD=0)', () => {
  afterAll(() => {
    delete process.env.TFNAS_SIMD;
  });

  test('the registered kernels fall back to the composed ones, and the fused batch norm is not used', () => {
    process.env.TFNAS_SIMD = '0';
    expect(simdKernels(tf.backend())).toBeNull();
    expect(fusedKernelsActive()).toBe(false);
    const x = randomArr4([2, H, W, 5], 31);
    const f = randomArr4([3, 3, 5, 1], 32);
    const [gh, gw] = geoms(H, W, 3, 1, 2, PAD_CASES[0]);
    const dy = randomArr4([2, gh.outSize, gw.outSize, 5], 33);
    const ref = convReference(x, f, gh, gw, true, dy);
    const [xt, dyt] = [tensor4(x), tensor4(dy)];
    const attrs = { strides: [1, 1], dilations: [2, 2], pad: 'same', dataFormat: 'NHWC', filterShape: f.shape };
    expectMatches(runKernel('DepthwiseConv2dNativeBackpropFilter', { x: xt, dy: dyt }, attrs), ref.df, 'fallback filter gradient');
    expect(() => runKernel(BN_TRAIN_KERNEL, { x: xt }, { eps: 1e-5 })).toThrow(/needs WebAssembly SIMD/);
    tf.dispose([xt, dyt]);
  });
});
