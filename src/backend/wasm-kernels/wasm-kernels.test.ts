import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../index';
import { patchBackend } from '../patches';
import { WASM_TRAINING_KERNELS } from './index';
import { SIMD_WASM_KERNELS } from '../simd/simd-kernels';
import { axisGeom, convReference, poolReference, randomArr4, Shape4 } from '../test-utils/reference';
import { callKernelFunc, expectMatches, geoms, liveCounts, PadCase, PAD_CASES, runKernel, tensor4 } from '../test-utils/tf-helpers';
import { DENSE_MAX_CHANNELS, filterGradViaDense, filterGradViaDepthwise } from './depthwise-backprop';

// Input 11×9 (odd, not square); kernels 1/3/5, strides 1/2, dilations 1/2, four paddings, batch 1 and 2.
const H = 11;
const W = 9;
const C = 3;
interface ConvCase { k: number; s: number; d: number; pad: (typeof PAD_CASES)[number]; n: number; label: string }
const CASES: ConvCase[] = [];
for (const k of [1, 3, 5]) for (const s of [1, 2]) for (const d of [1, 2]) for (const pad of PAD_CASES) {
  const n = (k + s + d) % 2 === 0 ? 2 : 1;
  CASES.push({ k, s, d, pad, n, label: `k${k} s${s} d${d} ${pad.name} n${n}` });
}

function attrsOf(c: ConvCase) {
  return { strides: [c.s, c.s], dilations: [c.d, c.d], pad: c.pad.tf, dimRoundingMode: c.pad.rounding, dataFormat: 'NHWC' };
}

beforeAll(async () => {
  await useBackend('wasm');
});

describe('wasm Conv2D backprop kernels vs float64 reference', () => {
  test.each(CASES.map((c) => [c.label, c] as const))('%s', (_label, c) => {
    const [gh, gw] = geoms(H, W, c.k, c.s, c.d, c.pad);
    const x = randomArr4([c.n, H, W, C], 1);
    const f = randomArr4([c.k, c.k, C, 4], 2);
    const dy = randomArr4([c.n, gh.outSize, gw.outSize, 4], 3);
    const ref = convReference(x, f, gh, gw, false, dy);
    const [xt, ft, dyt] = [tensor4(x), tensor4(f), tensor4(dy)];
    const attrs = attrsOf(c);
    expectMatches(runKernel('Conv2D', { x: xt, filter: ft }, attrs), ref.y, `${c.label} forward (reference check)`);
    expectMatches(runKernel('Conv2DBackpropFilter', { x: xt, dy: dyt }, { ...attrs, filterShape: f.shape }), ref.df, `${c.label} filter`);
    expectMatches(runKernel('Conv2DBackpropInput', { dy: dyt, filter: ft }, { ...attrs, inputShape: x.shape }), ref.dx, `${c.label} input`);
    tf.dispose([xt, ft, dyt]);
  });
});

describe('wasm Conv2DBackpropInput, 1×1 strided (DARTS FactorizedReduce), even and odd sizes', () => {
  const pads: PadCase[] = [PAD_CASES[1], { name: 'bottom/right only', tf: [[0, 0], [0, 2], [0, 1], [0, 0]], rows: [0, 2], cols: [0, 1] }];
  const cases = [[8, 6], [7, 5]].flatMap(([h, w]) => [2, 3].flatMap((s) => pads.map((p) => [`${h}x${w} s${s} ${p.name}`, h, w, s, p] as const)));
  test.each(cases)('%s', (label, h, w, s, p) => {
    const [gh, gw] = [axisGeom(h, 1, s, 1, p.rows), axisGeom(w, 1, s, 1, p.cols)];
    const f = randomArr4([1, 1, C, 4], 51);
    const dy = randomArr4([2, gh.outSize, gw.outSize, 4], 52);
    const ref = convReference(randomArr4([2, h, w, C], 53), f, gh, gw, false, dy);
    const [ft, dyt] = [tensor4(f), tensor4(dy)];
    const attrs = { strides: [s, s], pad: p.tf, dataFormat: 'NHWC', inputShape: [2, h, w, C] };
    expectMatches(runKernel('Conv2DBackpropInput', { dy: dyt, filter: ft }, attrs), ref.dx, label);
    tf.dispose([ft, dyt]);
  });
});

describe('wasm depthwise backprop kernels vs float64 reference', () => {
  const cases = CASES.flatMap((c) => [1, 2].map((m) => [`${c.label} m${m}`, c, m] as const));
  test.each(cases)('%s', (label, c, m) => {
    const [gh, gw] = geoms(H, W, c.k, c.s, c.d, c.pad);
    const x = randomArr4([c.n, H, W, C], 4);
    const f = randomArr4([c.k, c.k, C, m], 5);
    const dy = randomArr4([c.n, gh.outSize, gw.outSize, C * m], 6);
    const ref = convReference(x, f, gh, gw, true, dy);
    const [xt, ft, dyt] = [tensor4(x), tensor4(f), tensor4(dy)];
    const attrs = attrsOf(c);
    expectMatches(runKernel('DepthwiseConv2dNative', { x: xt, filter: ft }, attrs), ref.y, `${label} forward (reference check)`);
    const filterAttrs = { ...attrs, filterShape: f.shape };
    expectMatches(runKernel('DepthwiseConv2dNativeBackpropFilter', { x: xt, dy: dyt }, filterAttrs), ref.df, `${label} filter`);
    // The registered kernel picks one of two formulations by channel count: check both.
    expectMatches(callKernelFunc(filterGradViaDense, { x: xt, dy: dyt }, filterAttrs), ref.df, `${label} filter (dense)`);
    expectMatches(callKernelFunc(filterGradViaDepthwise, { x: xt, dy: dyt }, filterAttrs), ref.df, `${label} filter (depthwise)`);
    // Large batches are split into chunks of entries: force one entry per chunk here.
    expectMatches(callKernelFunc((a) => filterGradViaDepthwise(a, 1), { x: xt, dy: dyt }, filterAttrs), ref.df, `${label} filter (depthwise, chunked)`);
    expectMatches(runKernel('DepthwiseConv2dNativeBackpropInput', { dy: dyt, filter: ft }, { ...attrs, inputShape: x.shape }), ref.dx, `${label} input`);
    tf.dispose([xt, ft, dyt]);
  });
});

describe('wasm MaxPoolGrad vs float64 reference', () => {
  // Windows wholly in the padding have no defined maximum: only paddings smaller than the window.
  const fits = (k: number, p: PadCase) => typeof p.tf === 'string' || k > (typeof p.tf === 'number' ? p.tf : 3);
  const cases = [1, 2, 3, 5].flatMap((k) =>
    [1, 2].flatMap((s) => PAD_CASES.filter((p) => fits(k, p)).map((p) => [`k${k} s${s} ${p.name}`, k, s, p] as const)),
  );
  test.each(cases)('%s', (label, k, s, p) => {
    const [gh, gw] = geoms(H, W, k, s, 1, p);
    const n = 2;
    const x = randomArr4([n, H, W, C], 7);
    const dy = randomArr4([n, gh.outSize, gw.outSize, C], 8);
    const ref = poolReference(x, k, gh, gw, 'max', dy);
    const attrs = { filterSize: [k, k], strides: [s, s], pad: p.tf, dimRoundingMode: p.rounding };
    const [xt, dyt] = [tensor4(x), tensor4(dy)];
    const y = runKernel('MaxPool', { x: xt }, attrs);
    expectMatches(y.clone(), ref.y, `${label} forward (reference check)`);
    expectMatches(runKernel('MaxPoolGrad', { dy: dyt, input: xt, output: y }, attrs), ref.dx, `${label} grad`);
    tf.dispose([xt, dyt, y]);
  });
});

describe('wasm MaxPoolGrad with ties', () => {
  test('the first maximum in row-major order takes the gradient, as on cpu', () => {
    const x = randomArr4([2, H, W, C], 18);
    x.data.forEach((v, i) => (x.data[i] = Math.round(v))); // values in {-1, 0, 1}: most windows tie
    const [gh, gw] = geoms(H, W, 3, 2, 1, PAD_CASES[0]);
    const dy = randomArr4([2, gh.outSize, gw.outSize, C], 19);
    const ref = poolReference(x, 3, gh, gw, 'max', dy);
    const [xt, dyt] = [tensor4(x), tensor4(dy)];
    const attrs = { filterSize: [3, 3], strides: [2, 2], pad: 'same' };
    const y = runKernel('MaxPool', { x: xt }, attrs);
    expectMatches(runKernel('MaxPoolGrad', { dy: dyt, input: xt, output: y }, attrs), ref.dx, 'ties');
    tf.dispose([xt, dyt, y]);
  });
});

describe('wasm training kernels through tf.grad', () => {
  const shapes: [string, Shape4, number][] = [['batch 1', [1, 7, 5, 3], 1], ['batch 3', [3, 8, 8, 4], 2]];
  test.each(shapes)('conv2d, depthwise (multiplier 2), maxPool gradients match the reference (%s)', (_l, xShape, s) => {
    const x = randomArr4(xShape, 9);
    const f = randomArr4([3, 3, xShape[3], 5], 10);
    const fd = randomArr4([3, 3, xShape[3], 2], 11);
    const [xt, ft, fdt] = [tensor4(x), tensor4(f), tensor4(fd)];
    const [gh, gw] = geoms(xShape[1], xShape[2], 3, s, 1, PAD_CASES[0]);
    const ones = (c: number) => ({ data: new Float64Array(xShape[0] * gh.outSize * gw.outSize * c).fill(1), shape: [xShape[0], gh.outSize, gw.outSize, c] as Shape4 });
    const conv = convReference(x, f, gh, gw, false, ones(5));
    const [dx, df] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, s, 'same').sum())([xt, ft]);
    expectMatches(dx, conv.dx, 'conv2d dx');
    expectMatches(df, conv.df, 'conv2d dfilter');
    const dw = convReference(x, fd, gh, gw, true, ones(xShape[3] * 2));
    const [ddx, ddf] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, s, 'same').sum())([xt, fdt]);
    expectMatches(ddx, dw.dx, 'depthwise dx');
    expectMatches(ddf, dw.df, 'depthwise dfilter');
    const pool = poolReference(x, 3, gh, gw, 'max', ones(xShape[3]));
    expectMatches(tf.grad((a: tf.Tensor) => tf.maxPool(a as tf.Tensor4D, 3, s, 'same').sum())(xt), pool.dx, 'maxPool dx');
    tf.dispose([xt, ft, fdt]);
  });

  test('repeated gradient steps leak neither tensors nor backend buffers', () => {
    const x = tensor4(randomArr4([2, 9, 9, 4], 12));
    const f = tf.variable(tensor4(randomArr4([3, 3, 4, 4], 13)));
    const fd = tf.variable(tensor4(randomArr4([5, 5, 4, 1], 14)));
    const loss = () => tf.maxPool(tf.depthwiseConv2d(tf.conv2d(x, f, 1, 'same'), fd as tf.Tensor4D, 2, 'same'), 3, 1, 'same').sum() as tf.Scalar;
    const step = () => {
      const { value, grads } = tf.variableGrads(loss);
      tf.dispose([value, ...Object.values(grads)]);
    };
    step();
    const before = liveCounts();
    for (let i = 0; i < 3; i++) step();
    expect(liveCounts()).toEqual(before);
    tf.dispose([x, f, fd]);
  });

  test(`more than ${DENSE_MAX_CHANNELS} channels take the depthwise formulation, and match`, () => {
    const C2 = DENSE_MAX_CHANNELS + 1;
    const x = randomArr4([2, 6, 5, C2], 15);
    const f = randomArr4([3, 3, C2, 1], 16);
    const [gh, gw] = geoms(6, 5, 3, 1, 1, PAD_CASES[0]);
    const dy = randomArr4([2, gh.outSize, gw.outSize, C2], 17);
    const ref = convReference(x, f, gh, gw, true, dy);
    const [xt, dyt] = [tensor4(x), tensor4(dy)];
    const attrs = { strides: [1, 1], pad: 'same', filterShape: f.shape };
    expectMatches(runKernel('DepthwiseConv2dNativeBackpropFilter', { x: xt, dy: dyt }, attrs), ref.df, 'filter');
    tf.dispose([xt, dyt]);
  });

  test("dataFormat 'NCHW' is refused with a clear message (the wasm forward Conv2D refuses it too)", () => {
    const x = tf.zeros([1, 4, 4, 2]);
    const dy = tf.zeros([1, 4, 4, 3]);
    const attrs = { strides: 1, pad: 'same', dataFormat: 'NCHW', filterShape: [3, 3, 2, 3] };
    expect(() => runKernel('Conv2DBackpropFilter', { x, dy }, attrs)).toThrow(/dataFormat 'NCHW' is not supported/);
    tf.dispose([x, dy]);
  });

  test('patchBackend replaces a foreign kernel, and a second call changes nothing', () => {
    const ours = tf.getKernel('MaxPoolGrad', 'wasm')!;
    tf.unregisterKernel('MaxPoolGrad', 'wasm');
    const foreign = { kernelName: 'MaxPoolGrad', backendName: 'wasm', kernelFunc: () => ({ dataId: {}, shape: [], dtype: 'float32' as const }) };
    tf.registerKernel(foreign);
    patchBackend('wasm');
    expect(tf.getKernel('MaxPoolGrad', 'wasm')).toBe(ours);
    const before = WASM_TRAINING_KERNELS.map((k) => tf.getKernel(k.kernelName, 'wasm'));
    patchBackend('wasm');
    expect(WASM_TRAINING_KERNELS.map((k) => tf.getKernel(k.kernelName, 'wasm'))).toEqual(before);
    // The registered configs are tfnas's: the composed ones, or the SIMD ones that replace them.
    const replaced = new Map(SIMD_WASM_KERNELS.map((k) => [k.kernelName, k]));
    expect(before).toEqual(WASM_TRAINING_KERNELS.map((k) => replaced.get(k.kernelName) ?? k));
  });
});
