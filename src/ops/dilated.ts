import * as tf from '@tensorflow/tfjs';
import { backpropHonoursDilation } from '../backend/patches';

/**
 * Dilated (atrous) convolutions that train on every backend.
 *
 * tfjs-core's gradients of Conv2D and DepthwiseConv2dNative assert dilation == 1 on every backend
 * (tfjs-node included), so `tf.conv2d(x, f, s, p, 'NHWC', 2)` cannot be trained. Two exact
 * implementations (ATROUS_IMPLEMENTATIONS); the functions below pick the fast one where it exists:
 *
 * - 'kernels' (wasm after useBackend): the forward kernel with its dilation, and a custom gradient
 *   calling tfnas's wasm backprop kernels, which honour dilation (src/backend/wasm-kernels).
 * - 'space-to-batch' (every backend), from ops whose gradients exist everywhere:
 *   · stride 1: spaceToBatchND → undilated 'valid' convolution → batchToSpaceND, which is how
 *     TensorFlow implements atrous convolution (tf.nn.with_space_to_batch);
 *   · stride s and dilation d sharing a factor g = gcd(s, d) (DARTS reduction cells: s = d = 2):
 *     the taps only read every g-th row and column of the padded input, so it is subsampled by g
 *     first (spaceToBatchND, keep the first phase), leaving stride s/g and dilation d/g;
 *   · coprime stride and dilation > 1: the stride-1 result, subsampled.
 *
 * Semantics are PyTorch's Conv2d: `pad` zeros on every side, output size
 * floor((in + 2·pad − dilation·(k − 1) − 1) / stride) + 1 (see `convOutputSize`).
 *
 * API (NHWC; stride, pad, dilation are a number or [rows, cols]):
 * - `dilatedConv2d(x [N,H,W,Cin], filter [kh,kw,Cin,Cout], stride = 1, pad = 0, dilation = 1)`
 *   → [N,OH,OW,Cout]
 * - `dilatedDepthwiseConv2d(x [N,H,W,C], filter [kh,kw,C,M], stride = 1, pad = 0, dilation = 1)`
 *   → [N,OH,OW,C·M] (output channel c·M + m, as tf.depthwiseConv2d)
 * - `convOutputSize(inSize, k, stride, pad, dilation)`
 * DARTS: dil_conv_3x3 = (k 3, pad 2, dilation 2), dil_conv_5x5 = (k 5, pad 4, dilation 2), stride 1 or 2.
 */

type Pair = [number, number];
export type Pair2 = number | Pair;

/** One implementation: x, filter, then stride, pad, dilation as pairs, already validated. */
export type AtrousImpl = (x: tf.Tensor4D, f: tf.Tensor4D, s: Pair, p: Pair, d: Pair, depthwise: boolean) => tf.Tensor4D;

export function dilatedConv2d(x: tf.Tensor4D, filter: tf.Tensor4D, stride: Pair2 = 1, pad: Pair2 = 0, dilation: Pair2 = 1): tf.Tensor4D {
  return atrous('dilatedConv2d', x, filter, stride, pad, dilation, false);
}

export function dilatedDepthwiseConv2d(x: tf.Tensor4D, filter: tf.Tensor4D, stride: Pair2 = 1, pad: Pair2 = 0, dilation: Pair2 = 1): tf.Tensor4D {
  return atrous('dilatedDepthwiseConv2d', x, filter, stride, pad, dilation, true);
}

/** PyTorch's Conv2d output size along one axis. */
export function convOutputSize(inSize: number, k: number, stride = 1, pad = 0, dilation = 1): number {
  return Math.floor((inSize + 2 * pad - dilation * (k - 1) - 1) / stride) + 1;
}

function atrous(fn: string, x: tf.Tensor4D, f: tf.Tensor4D, stride: Pair2, pad: Pair2, dilation: Pair2, depthwise: boolean): tf.Tensor4D {
  checkShapes(fn, x, f, depthwise);
  const s = pair(fn, 'stride', stride, 1);
  const p = pair(fn, 'pad', pad, 0);
  const d = pair(fn, 'dilation', dilation, 1);
  const k = [f.shape[0], f.shape[1]];
  if ([0, 1].some((i) => convOutputSize(x.shape[1 + i], k[i], s[i], p[i], d[i]) < 1)) {
    throw new Error(`${fn}: input ${x.shape[1]}×${x.shape[2]} is too small for kernel ${k.join('×')} with dilation ${d.join('×')} and pad ${p.join('×')}`);
  }
  const impl = backpropHonoursDilation() ? 'kernels' : 'space-to-batch';
  return ATROUS_IMPLEMENTATIONS[impl](x, f, s, p, d, depthwise);
}

const KERNELS = {
  dense: { forward: 'Conv2D', input: 'Conv2DBackpropInput', filter: 'Conv2DBackpropFilter' },
  depthwise: { forward: 'DepthwiseConv2dNative', input: 'DepthwiseConv2dNativeBackpropInput', filter: 'DepthwiseConv2dNativeBackpropFilter' },
};

/** The forward kernel with its dilation; gradients from backprop kernels that honour it. */
const viaKernels: AtrousImpl = (x, f, s, p, d, depthwise) => {
  const names = depthwise ? KERNELS.depthwise : KERNELS.dense;
  const attrs = { strides: s, dilations: d, pad: [[0, 0], [p[0], p[0]], [p[1], p[1]], [0, 0]], dataFormat: 'NHWC' };
  const run = (name: string, inputs: tf.NamedTensorMap, extra: object = {}) =>
    tf.engine().runKernel(name, inputs, { ...attrs, ...extra } as unknown as tf.NamedAttrMap) as tf.Tensor4D;
  const op = tf.customGrad(((xa: tf.Tensor4D, fa: tf.Tensor4D, save: tf.GradSaveFunc) => {
    save([xa, fa]);
    return {
      value: run(names.forward, { x: xa, filter: fa }),
      gradFunc: (dy: tf.Tensor4D, [xs, fs]: tf.Tensor[]) => [
        run(names.input, { dy, filter: fs }, { inputShape: xs.shape }),
        run(names.filter, { x: xs, dy }, { filterShape: fs.shape }),
      ],
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(x, f) as tf.Tensor4D;
};

const viaSpaceToBatch: AtrousImpl = (x, f, s, p, d, depthwise) =>
  tf.tidy(() => {
    const conv = (a: tf.Tensor4D, strides: Pair) => (depthwise ? tf.depthwiseConv2d(a, f, strides, 'valid') : tf.conv2d(a, f, strides, 'valid'));
    let pads: Pair[] = [[p[0], p[0]], [p[1], p[1]]];
    let input = x;
    const g: Pair = [gcd(s[0], d[0]), gcd(s[1], d[1])];
    if (g[0] > 1 || g[1] > 1) {
      input = firstPhase(x, g, pads); // the padding is applied here, none is left for later
      pads = [[0, 0], [0, 0]];
      s = [s[0] / g[0], s[1] / g[1]];
      d = [d[0] / g[0], d[1] / g[1]];
    }
    if (d[0] === 1 && d[1] === 1) {
      return conv(pads.some(([a, b]) => a + b > 0) ? tf.pad(input, [[0, 0], pads[0], pads[1], [0, 0]]) : input, s);
    }
    // Stride 1: split into d·d phases x_r[j] = x[d·j + r], convolve each undilated, interleave back.
    const extra = [0, 1].map((i) => roundUpExtra(input.shape[1 + i] + pads[i][0] + pads[i][1], d[i]));
    const phases = tf.spaceToBatchND(input, d, [[pads[0][0], pads[0][1] + extra[0]], [pads[1][0], pads[1][1] + extra[1]]]);
    // The phases were padded to equal length; the outputs of that extra padding are cropped.
    const dense = tf.batchToSpaceND(conv(phases as tf.Tensor4D, [1, 1]), d, [[0, extra[0]], [0, extra[1]]]) as tf.Tensor4D;
    return s[0] === 1 && s[1] === 1 ? dense : firstPhase(dense, s, [[0, 0], [0, 0]]);
  });

/** Both implementations, exact to float32 rounding; tests run every entry. */
export const ATROUS_IMPLEMENTATIONS: Record<'kernels' | 'space-to-batch', AtrousImpl> = {
  kernels: viaKernels,
  'space-to-batch': viaSpaceToBatch,
};

/** x padded by `pads`, then every g-th row and column from the first: x[:, ::g0, ::g1, :]. */
function firstPhase(x: tf.Tensor4D, g: Pair, pads: Pair[]): tf.Tensor4D {
  const extra = [0, 1].map((i) => roundUpExtra(x.shape[1 + i] + pads[i][0] + pads[i][1], g[i]));
  const phases = tf.spaceToBatchND(x, g, [[pads[0][0], pads[0][1] + extra[0]], [pads[1][0], pads[1][1] + extra[1]]]);
  // spaceToBatchND orders the output batch phase-major: phase (0, 0) is the first N entries.
  return tf.slice(phases as tf.Tensor4D, [0, 0, 0, 0], [x.shape[0], -1, -1, -1]);
}

/** How much to add to `size` to make it a multiple of `block`. */
function roundUpExtra(size: number, block: number): number {
  return (block - (size % block)) % block;
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

function pair(fn: string, name: string, v: Pair2, min: number): Pair {
  const p = typeof v === 'number' ? [v, v] : v;
  if (!Array.isArray(p) || p.length !== 2 || !p.every((n) => Number.isInteger(n) && n >= min)) {
    throw new Error(`${fn}: ${name} must be an integer ≥ ${min} or a pair [rows, cols] of them, got ${JSON.stringify(v)}`);
  }
  return [p[0], p[1]];
}

function checkShapes(fn: string, x: tf.Tensor, f: tf.Tensor, depthwise: boolean): void {
  if (x.rank !== 4) throw new Error(`${fn}: x must be rank 4 [N,H,W,C], got shape [${x.shape}]`);
  if (f.rank !== 4) throw new Error(`${fn}: filter must be rank 4 [kh,kw,${depthwise ? 'C,M' : 'Cin,Cout'}], got shape [${f.shape}]`);
  if (x.shape[3] !== f.shape[2]) {
    throw new Error(`${fn}: x has ${x.shape[3]} channels but the filter expects ${f.shape[2]} (filter shape [${f.shape}])`);
  }
}
