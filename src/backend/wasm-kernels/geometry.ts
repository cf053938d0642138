import * as tf from '@tensorflow/tfjs';
import { KernelScope, Info, view, slice4 } from './scope';

export type ConvInfo = tf.backend_util.Conv2DInfo;
type Pair = number | [number, number];

/** Attrs tfjs-core passes to the Conv2DBackprop* and DepthwiseConv2dNativeBackprop* kernels. */
export interface BackpropAttrs {
  strides: Pair;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  /** tfjs-core passes dilations to the depthwise kernels only; the dense ones default to 1. */
  dilations?: Pair;
  dataFormat?: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/** The forward convolution's geometry, exactly as the forward kernel computed it. */
export function forwardInfo(xShape: number[], filterShape: number[], attrs: BackpropAttrs, depthwise: boolean): ConvInfo {
  if (attrs.dataFormat === 'NCHW') {
    // The wasm forward Conv2D rejects NCHW too, so no gradient can ask for it.
    throw new Error("tfnas wasm training kernels: dataFormat 'NCHW' is not supported; use 'NHWC'");
  }
  return tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides,
    attrs.dilations ?? 1,
    attrs.pad,
    attrs.dimRoundingMode,
    depthwise,
    'channelsLast',
  );
}

/** One spatial axis of a forward convolution: out[o] reads in[o*stride - padBefore + k*dilation]. */
export interface Axis {
  inSize: number;
  outSize: number;
  k: number;
  stride: number;
  dilation: number;
  padBefore: number;
}

export function axes(c: ConvInfo): [Axis, Axis] {
  return [
    { inSize: c.inHeight, outSize: c.outHeight, k: c.filterHeight, stride: c.strideHeight, dilation: c.dilationHeight, padBefore: c.padInfo.top },
    { inSize: c.inWidth, outSize: c.outWidth, k: c.filterWidth, stride: c.strideWidth, dilation: c.dilationWidth, padBefore: c.padInfo.left },
  ];
}

/**
 * Filter gradient as a convolution of the input with dy as the filter: df[k] = Σ_o in[k*dilation +
 * o*stride - padBefore]·dy[o], i.e. stride and dilation swap roles. The trailing padding makes the
 * output exactly k long; where the forward left input rows unread it would be negative, so it is
 * 0 and the extra outputs are sliced off.
 */
export function filterGradPads(a: Axis): [number, number] {
  const after = (a.k - 1) * a.dilation + (a.outSize - 1) * a.stride + 1 - a.inSize - a.padBefore;
  return [a.padBefore, Math.max(0, after)];
}

/**
 * Input gradient as a stride-1 convolution of dy, zero-upsampled to `outSize*stride` rows, with the
 * flipped filter: dx[i] = Σ_k up[i + padBefore - k*dilation]·f[k]. Returns the padding before and
 * after the upsampled dy; a negative value means rows to cut instead.
 */
export function inputGradPads(a: Axis): [number, number] {
  const before = (a.k - 1) * a.dilation - a.padBefore;
  const after = a.inSize + a.padBefore - a.outSize * a.stride;
  return [before, after];
}

/** Zero-upsamples [N,H,W,C] by the strides: out[n, h*sH, w*sW, c] = x[n,h,w,c], zeros elsewhere. */
export function upsample(s: KernelScope, x: Info, sH: number, sW: number): Info {
  if (sH === 1 && sW === 1) return x;
  const [n, h, w, c] = x.shape;
  const paddings = [[0, 0], [0, 0], [0, sH - 1], [0, 0], [0, sW - 1], [0, 0]];
  const up = s.run('PadV2', { x: view(x, [n, h, 1, w, 1, c]) }, { paddings, constantValue: 0 });
  return view(up, [n, h * sH, w * sW, c]);
}

/**
 * Applies signed paddings to the spatial axes of [N,H,W,C]: negative parts are cut here, positive
 * parts are returned as the explicit padding for the convolution that follows.
 */
export function cropNegative(s: KernelScope, x: Info, rows: [number, number], cols: [number, number]) {
  const [n, h, w, c] = x.shape;
  const cut = (p: number) => Math.max(0, -p);
  const begin = [0, cut(rows[0]), cut(cols[0]), 0];
  const size = [n, h - cut(rows[0]) - cut(rows[1]), w - cut(cols[0]) - cut(cols[1]), c];
  const pos = (p: number) => Math.max(0, p);
  const pad: tf.backend_util.ExplicitPadding = [[0, 0], [pos(rows[0]), pos(rows[1])], [pos(cols[0]), pos(cols[1])], [0, 0]];
  return { x: slice4(s, x, begin, size), pad };
}

/** The explicit padding [[0,0],[top,bottom],[left,right],[0,0]] of two axes. */
export function explicitPad(rows: [number, number], cols: [number, number]): tf.backend_util.ExplicitPadding {
  return [[0, 0], rows, cols, [0, 0]];
}
