import * as tf from '@tensorflow/tfjs';
import { Apply, Op, ParamBuilder, batchNorm, reluFirst, sequence } from './context';
import { dilatedDepthwiseConv2d } from './dilated';

/**
 * The layers the candidate ops are made of, as in quark0/darts cnn/operations.py (ReLUConvBN,
 * DilConv, SepConv, FactorizedReduce, Identity, Zero) and AutoDL-Projects cell_operations.py.
 * Tensors are NHWC. Padding is symmetric and explicit, as PyTorch's, so strided convs and pools
 * look at exactly the same pixels as the reference (tfjs 'same' padding would shift them by one).
 */

/** A plain convolution (no bias) with symmetric zero padding. */
export function conv(b: ParamBuilder, name: string, k: number, cin: number, cout: number, stride: number, pad: number, bias = false): Apply {
  const w = b.conv(name, k, cin, cout);
  if (!bias) return (x, ctx) => tf.conv2d(x, ctx.w[w] as tf.Tensor4D, stride, pad);
  const c = b.convBias(`${name}.bias`, k, cin, cout);
  return (x, ctx) => tf.add(tf.conv2d(x, ctx.w[w] as tf.Tensor4D, stride, pad), ctx.w[c]);
}

/** A depthwise convolution (PyTorch groups=C), optionally dilated (through ./dilated, which trains on every backend). */
export function depthwise(b: ParamBuilder, name: string, k: number, C: number, stride: number, pad: number, dilation = 1): Apply {
  const w = b.depthwise(name, k, C);
  if (dilation === 1) return (x, ctx) => tf.depthwiseConv2d(x, ctx.w[w] as tf.Tensor4D, stride, pad);
  return (x, ctx) => dilatedDepthwiseConv2d(x, ctx.w[w] as tf.Tensor4D, stride, pad, dilation);
}

export function bn(b: ParamBuilder, name: string, C: number, affine: boolean): Apply {
  return batchNorm(b.bn(name, C, affine), affine);
}

/** ReLU → Conv(k, stride, pad) → BN (the conv with a bias when `bias`: AutoDL's `bias = not affine`). */
export function reluConvBn(b: ParamBuilder, name: string, cin: number, cout: number, k: number, stride: number, pad: number, affine: boolean, bias = false): Op {
  return reluFirst(sequence(conv(b, `${name}.conv`, k, cin, cout, stride, pad, bias), bn(b, `${name}.bn`, cout, affine)));
}

/** ReLU → dilated depthwise conv → 1×1 conv → BN (DARTS DilConv). */
export function dilConv(b: ParamBuilder, name: string, cin: number, cout: number, k: number, stride: number, pad: number, dilation: number, affine: boolean): Op {
  return reluFirst(
    sequence(depthwise(b, `${name}.dw`, k, cin, stride, pad, dilation), conv(b, `${name}.pw`, 1, cin, cout, 1, 0), bn(b, `${name}.bn`, cout, affine)),
  );
}

/** The separable conv applied twice (DARTS SepConv): the first carries the stride, the second keeps the size. */
export function sepConv(b: ParamBuilder, name: string, cin: number, cout: number, k: number, stride: number, pad: number, affine: boolean): Op {
  return reluFirst(
    sequence(
      depthwise(b, `${name}.dw1`, k, cin, stride, pad),
      conv(b, `${name}.pw1`, 1, cin, cin, 1, 0),
      bn(b, `${name}.bn1`, cin, affine),
      (x) => tf.relu(x),
      depthwise(b, `${name}.dw2`, k, cin, 1, pad),
      conv(b, `${name}.pw2`, 1, cin, cout, 1, 0),
      bn(b, `${name}.bn2`, cout, affine),
    ),
  );
}

/**
 * DARTS FactorizedReduce: ReLU, then two 1×1 stride-2 convs, one on the input and one on the input
 * shifted by one pixel, each giving half the output channels, concatenated, then BN. Halves H and W.
 */
export function factorizedReduce(b: ParamBuilder, name: string, cin: number, cout: number, affine: boolean): Op {
  if (cout % 2 !== 0) throw new Error(`FactorizedReduce ${name}: output channels must be even, got ${cout}`);
  const c1 = conv(b, `${name}.conv1`, 1, cin, cout / 2, 2, 0);
  const c2 = conv(b, `${name}.conv2`, 1, cin, cout / 2, 2, 0);
  const norm = bn(b, `${name}.bn`, cout, affine);
  return reluFirst((h, ctx) => {
    const [, H, W] = h.shape;
    if (H % 2 !== 0 || W % 2 !== 0) throw new Error(`FactorizedReduce ${name}: needs an even feature-map size, got ${H}×${W}`);
    const shifted = tf.slice(h, [0, 1, 1, 0], [-1, H - 1, W - 1, -1]);
    return norm(tf.concat([c1(h, ctx), c2(shifted, ctx)], 3), ctx);
  });
}

/** 3×3 max or average pool with padding 1; average excludes the padding (PyTorch count_include_pad=False). */
export function pool3x3(kind: 'max' | 'avg', stride: number): Apply {
  if (kind === 'max') return (x) => tf.maxPool(x, 3, stride, 1);
  return (x) => tf.avgPool(x, 3, stride, 1);
}

export const identity: Apply = (x) => x;

/** The `none` op: zeros of the output shape (strided like x[:, ::s, ::s] in the reference). */
export function zero(stride: number, cout?: number): Apply {
  return (x) => {
    const [n, h, w, c] = x.shape;
    return tf.zeros([n, Math.ceil(h / stride), Math.ceil(w / stride), cout ?? c]);
  };
}
