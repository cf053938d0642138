import * as tf from '@tensorflow/tfjs';
import { UsageError } from '../io/errors';
import { CELL_OP_NAMES } from '../ops/cell-ops';

/**
 * Building blocks of the exported inference model of a discrete DARTS network (quark0/darts
 * cnn/operations.py, model.py) as standard tf.layers on symbolic tensors, NHWC, forward only: the
 * saved model loads with plain tf.loadLayersModel (in a browser too). Training runs on the
 * functional ops (network.ts); network-export.ts copies the trained weights in by layer name.
 * Dilated convs are tf.layers.separableConv2d, whose forward pass works everywhere.
 * Padding follows PyTorch: stride-2 convs pad symmetrically (zeroPadding2d + 'valid'), because TF's
 * 'same' pads asymmetrically at stride 2 and would shift every window by one pixel.
 */
export interface BuildContext {
  /** Inference layers whose weights are the concatenated weights of several functional parameters. */
  merges: Record<string, string[]>;
}

type T = tf.SymbolicTensor;

const channels = (x: T): number => x.shape[x.shape.length - 1] as number;

/** Weights start at zero: they are copied in from the trained network. */
const init = () => tf.initializers.zeros();

export function relu(name: string, x: T): T {
  return tf.layers.reLU({ name }).apply(x) as T;
}

/** BatchNorm2d with PyTorch's defaults: momentum 0.1 (Keras momentum 0.9) and eps 1e-5. */
export function bn(name: string, x: T): T {
  return tf.layers.batchNormalization({ name, axis: -1, momentum: 0.9, epsilon: 1e-5 }).apply(x) as T;
}

function pad(name: string, x: T, ph: number, pw: number): T {
  if (ph === 0 && pw === 0) return x;
  return tf.layers.zeroPadding2d({ name, padding: [[ph, ph], [pw, pw]] }).apply(x) as T;
}

/** Keeps every second row and column (x[:, ::2, ::2]): a 1×1 max pool with stride 2. */
export function subsample(name: string, x: T): T {
  return tf.layers.maxPooling2d({ name, poolSize: 1, strides: 2, padding: 'valid' }).apply(x) as T;
}

/** nn.Conv2d(bias=False) with symmetric padding `pad` (per axis). */
export function conv(ctx: BuildContext, name: string, x: T, filters: number, k: [number, number], stride: [number, number], p: [number, number]): T {
  const y = pad(`${name}_pad`, x, p[0], p[1]);
  return tf.layers
    .conv2d({ name, filters, kernelSize: k, strides: stride, padding: 'valid', useBias: false, kernelInitializer: init() })
    .apply(y) as T;
}

/** nn.Conv2d(C, C, k, stride, padding=(k-1)/2, groups=C, bias=False). */
export function depthwise(ctx: BuildContext, name: string, x: T, k: number, stride: number): T {
  const y = stride === 1 ? x : pad(`${name}_pad`, x, (k - 1) / 2, (k - 1) / 2);
  const padding = stride === 1 ? 'same' : 'valid';
  const layer = tf.layers.depthwiseConv2d({ name, kernelSize: k, strides: stride, padding, useBias: false, depthMultiplier: 1, depthwiseInitializer: init() });
  return layer.apply(y) as T;
}

/** ReLUConvBN(C_in, C_out, 1, 1, 0): the cell preprocessing. */
export function reluConvBn(ctx: BuildContext, name: string, x: T, cOut: number): T {
  return bn(`${name}_bn`, conv(ctx, `${name}_conv`, relu(`${name}_relu`, x), cOut, [1, 1], [1, 1], [0, 0]));
}

/** FactorizedReduce: two 1×1 stride-2 convs, the second on x[:, 1:, 1:], concatenated, then BN. */
export function factorizedReduce(ctx: BuildContext, name: string, x: T, cOut: number): T {
  if (cOut % 2 !== 0) throw new UsageError(`FactorizedReduce needs an even channel count, got ${cOut}`);
  const r = relu(`${name}_relu`, x);
  const a = conv(ctx, `${name}_conv1`, r, cOut / 2, [1, 1], [2, 2], [0, 0]);
  const shifted = tf.layers.cropping2D({ name: `${name}_shift`, cropping: [[1, 0], [1, 0]] }).apply(r) as T;
  const b = conv(ctx, `${name}_conv2`, shifted, cOut / 2, [1, 1], [2, 2], [0, 0]);
  const cat = tf.layers.concatenate({ name: `${name}_cat`, axis: -1 }).apply([a, b]) as T;
  return bn(`${name}_bn`, cat);
}

/** SepConv: (ReLU, depthwise k×k, pointwise 1×1, BN) twice; only the first depthwise strides. */
function sepConv(ctx: BuildContext, name: string, x: T, k: number, stride: number): T {
  const c = channels(x);
  let y = depthwise(ctx, `${name}_dw1`, relu(`${name}_relu1`, x), k, stride);
  y = bn(`${name}_bn1`, conv(ctx, `${name}_pw1`, y, c, [1, 1], [1, 1], [0, 0]));
  y = depthwise(ctx, `${name}_dw2`, relu(`${name}_relu2`, y), k, 1);
  return bn(`${name}_bn2`, conv(ctx, `${name}_pw2`, y, c, [1, 1], [1, 1], [0, 0]));
}

/**
 * DilConv: ReLU, dilated depthwise k×k (dilation 2, padding (k−1)), pointwise 1×1, BN, as one
 * standard separableConv2d, the only tfjs layer that honours dilationRate
 * (tf.layers.depthwiseConv2d silently ignores it), 'same' at stride 1 (which pads exactly
 * (k−1)·d/2 per side), subsampled for stride 2; its two kernels are the functional op's `dw` and
 * `pw` weights, recorded in `ctx.merges`.
 */
function dilConv(ctx: BuildContext, name: string, x: T, k: number, stride: number): T {
  const c = channels(x);
  const dilation = 2;
  const r = relu(`${name}_relu`, x);
  const sep = `${name}_dwpw`;
  ctx.merges[sep] = [`${name}_dw`, `${name}_pw`];
  let y = tf.layers.separableConv2d({ name: sep, filters: c, kernelSize: k, dilationRate: dilation, padding: 'same', useBias: false, depthMultiplier: 1, depthwiseInitializer: init() }).apply(r) as T;
  if (stride !== 1) y = subsample(`${name}_sub`, y);
  return bn(`${name}_bn`, y);
}

/**
 * 3×3 pooling with padding 1 (max: pads with −∞; avg: count_include_pad=False). tfjs's 'same'
 * pooling at stride 1 ignores padded cells exactly so; stride 2 is that output subsampled, which
 * keeps PyTorch's symmetric windows.
 */
function pool(name: string, x: T, kind: 'max' | 'avg', stride: number): T {
  const args = { name, poolSize: 3, strides: 1, padding: 'same' as const };
  const y = (kind === 'max' ? tf.layers.maxPooling2d(args) : tf.layers.averagePooling2d(args)).apply(x) as T;
  return stride === 1 ? y : subsample(`${name}_sub`, y);
}

/** conv_7x1_1x7 of the reference OPS table (used by NASNet/AmoebaNet genotypes). */
function conv7x1(ctx: BuildContext, name: string, x: T, stride: number): T {
  const c = channels(x);
  let y = conv(ctx, `${name}_conv1x7`, relu(`${name}_relu`, x), c, [1, 7], [1, stride], [0, 3]);
  y = conv(ctx, `${name}_conv7x1`, y, c, [7, 1], [stride, 1], [3, 0]);
  return bn(`${name}_bn`, y);
}

/** One edge of a cell: returns the op's output and whether it was the identity. */
export function edgeOp(ctx: BuildContext, name: string, op: string, x: T, stride: number): { y: T; identity: boolean } {
  switch (op) {
    case 'skip_connect':
      return stride === 1 ? { y: x, identity: true } : { y: factorizedReduce(ctx, name, x, channels(x)), identity: false };
    case 'max_pool_3x3':
      return { y: pool(name, x, 'max', stride), identity: false };
    case 'avg_pool_3x3':
      return { y: pool(name, x, 'avg', stride), identity: false };
    case 'sep_conv_3x3':
    case 'sep_conv_5x5':
    case 'sep_conv_7x7':
      return { y: sepConv(ctx, name, x, Number(op[9]), stride), identity: false };
    case 'dil_conv_3x3':
    case 'dil_conv_5x5':
      return { y: dilConv(ctx, name, x, Number(op[9]), stride), identity: false };
    case 'conv_7x1_1x7':
      return { y: conv7x1(ctx, name, x, stride), identity: false };
    default:
      throw new UsageError(`genotype: op '${op}' cannot be built in a discrete network; expected one of ${CELL_OP_NAMES.join(', ')}`);
  }
}
