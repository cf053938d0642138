import * as tf from '@tensorflow/tfjs';
import { simdKernels } from './simd';
import { BackpropAttrs, forwardInfo } from '../wasm-kernels/geometry';
import { depthwiseBackpropFilter, depthwiseBackpropInput } from '../wasm-kernels/depthwise-backprop';
import { maxPoolGrad } from '../wasm-kernels/max-pool-grad';
import { conv2DBackpropFilter } from '../wasm-kernels/conv2d-backprop';
import { avgPoolGrad } from '../avgpool-grad';
import { builtinKernel } from '../builtins';
import { PoolGradAttrs, poolInfo } from '../pool-grad';
import { Args, config, Info, KernelFn, nhwc, simdRun, unavailable, withFallback } from './simd-run';
import { EDGE_KERNELS } from './edge-kernels';

/**
 * wasm kernels backed by the SIMD module (kernels.c): the dense filter gradient, the depthwise
 * convolution and its backprops (channel multiplier 1: every DARTS and NAS-Bench-201 case), both
 * pooling gradients, and tfnas's fused batch normalisation (TfnasBatchNormTrain /
 * TfnasBatchNormGrad, used by ops/batchnorm.ts). Each falls back to the composed kernel, or the
 * backend's own, where the SIMD module is unavailable or the case is not covered.
 */

function convArgs(c: tf.backend_util.Conv2DInfo): number[] {
  return [c.batchSize, c.inHeight, c.inWidth, c.inChannels, c.outHeight, c.outWidth, c.filterHeight, c.filterWidth,
    c.strideHeight, c.strideWidth, c.dilationHeight, c.dilationWidth, c.padInfo.top, c.padInfo.left];
}

/** The depthwise filter [kh, kw, C, M] has channel multiplier M = 1. */
const multiplierOne = (shape: (a: Args) => number[]) => (a: Args) => shape(a)[3] === 1;
const inputFilter = (a: Args) => (a.inputs.filter as Info).shape;

const dwFilterGrad: KernelFn = ({ inputs, backend, attrs }) => {
  const { x, dy } = inputs as { x: Info; dy: Info };
  const a = attrs as unknown as BackpropAttrs & { filterShape: number[] };
  const c = forwardInfo(x.shape, a.filterShape, a, true);
  return simdRun(backend, 'dw_filter_grad', [x, dy], [a.filterShape], convArgs(c))[0];
};

const dwInputGrad: KernelFn = ({ inputs, backend, attrs }) => {
  const { dy, filter } = inputs as { dy: Info; filter: Info };
  const a = attrs as unknown as BackpropAttrs & { inputShape: number[] };
  const c = forwardInfo(a.inputShape, filter.shape, a, true);
  // Stride 1 with 16+ channels: the gather form (dx pixels summed in registers), else the scatter.
  // Measured at batch 64, 32×32: C 16 k 5 2.2 vs 2.8 ms, C 32 (16×16) 0.44 vs 0.66 ms; at C 8 the
  // scatter wins (0.31 vs 0.38 ms at batch 32).
  if (c.strideHeight === 1 && c.strideWidth === 1 && c.inChannels >= 16) {
    const geometry = [c.batchSize, c.inHeight, c.inWidth, c.inChannels, c.outHeight, c.outWidth, c.filterHeight, c.filterWidth,
      c.dilationHeight, c.dilationWidth, c.padInfo.top, c.padInfo.left];
    return simdRun(backend, 'dw_input_grad_s1', [dy, filter], [a.inputShape], geometry, 4 * tf.util.sizeFromShape(filter.shape))[0];
  }
  return simdRun(backend, 'dw_input_grad', [dy, filter], [a.inputShape], convArgs(c))[0];
};

/** A 1×1, stride-1, unpadded convolution: one matrix product over all N·H·W pixels. */
function isPointwise(c: tf.backend_util.Conv2DInfo): boolean {
  const p = c.padInfo;
  return c.filterHeight === 1 && c.filterWidth === 1 && c.strideHeight === 1 && c.strideWidth === 1 &&
    p.top + p.left + p.bottom + p.right === 0 && c.outHeight === c.inHeight && c.outWidth === c.inWidth;
}

const convFilterGrad: KernelFn = ({ inputs, backend, attrs }) => {
  const { x, dy } = inputs as { x: Info; dy: Info };
  const a = attrs as unknown as BackpropAttrs & { filterShape: number[] };
  const c = forwardInfo(x.shape, a.filterShape, a, false);
  const rows = c.batchSize * c.inHeight * c.inWidth;
  const geometry = isPointwise(c)
    ? [1, 1, rows, c.inChannels, 1, rows, c.outChannels, 1, 1, 1, 1, 1, 1, 0, 0]
    : [c.batchSize, c.inHeight, c.inWidth, c.inChannels, c.outHeight, c.outWidth, c.outChannels, c.filterHeight, c.filterWidth,
      c.strideHeight, c.strideWidth, c.dilationHeight, c.dilationWidth, c.padInfo.top, c.padInfo.left];
  return simdRun(backend, 'conv_filter_grad', [x, dy], [a.filterShape], geometry)[0];
};

const dwForward: KernelFn = ({ inputs, backend, attrs }) => {
  const { x, filter } = inputs as { x: Info; filter: Info };
  const c = forwardInfo(x.shape, filter.shape, attrs as unknown as BackpropAttrs, true);
  return simdRun(backend, 'dw_forward', [x, filter], [c.outShape], convArgs(c))[0];
};

const builtin = (name: string): KernelFn => (a) => builtinKernel(name, 'wasm')(a as unknown as Parameters<tf.KernelFunc>[0]) as Info;

function poolArgs(x: Info, dy: Info, attrs: tf.NamedAttrMap | undefined): number[] {
  const c = poolInfo(x.shape, dy.shape, attrs as unknown as PoolGradAttrs);
  return [c.batchSize, c.inHeight, c.inWidth, c.inChannels, c.outHeight, c.outWidth, c.effectiveFilterHeight, c.effectiveFilterWidth,
    c.strideHeight, c.strideWidth, c.padInfo.top, c.padInfo.left];
}

const simdMaxPoolGrad: KernelFn = ({ inputs, backend, attrs }) => {
  const { dy, input } = inputs as { dy: Info; input: Info };
  return simdRun(backend, 'max_pool_grad', [input, dy], [input.shape], poolArgs(input, dy, attrs))[0];
};

const simdAvgPoolGrad: KernelFn = ({ inputs, backend, attrs }) => {
  const { dy, input } = inputs as { dy: Info; input: Info };
  return simdRun(backend, 'avg_pool_grad', [dy], [input.shape], poolArgs(input, dy, attrs))[0];
};

/** Fused training batch norm: x (channels last) → [x̂, mean, biased variance, 1/√(var + eps)]. */
export const BN_TRAIN_KERNEL = 'TfnasBatchNormTrain';
/** Its backward: (dy, x̂, scale = γ·rstd) → [dx, Σdy, Σdy·x̂] (per channel). */
export const BN_GRAD_KERNEL = 'TfnasBatchNormGrad';

const bnTrain: KernelFn = ({ inputs, backend, attrs }) => {
  const { x } = inputs as { x: Info };
  const C = x.shape[x.shape.length - 1];
  const M = tf.util.sizeFromShape(x.shape) / C;
  const eps = (attrs as { eps: number }).eps;
  return simdRun(backend, 'bn_forward', [x], [x.shape, [C], [C], [C]], [M, C, eps], 16 * C);
};

const bnGrad: KernelFn = ({ inputs, backend }) => {
  const { dy, xhat, scale } = inputs as { dy: Info; xhat: Info; scale: Info };
  const C = dy.shape[dy.shape.length - 1];
  const M = tf.util.sizeFromShape(dy.shape) / C;
  return simdRun(backend, 'bn_backward', [dy, xhat, scale], [dy.shape, [C], [C]], [M, C], 16 * C);
};

const BN_TRAIN_CONFIG = config(BN_TRAIN_KERNEL, withFallback(bnTrain, unavailable(BN_TRAIN_KERNEL)));

/** The SIMD-backed wasm kernels (registered by backend/patches.ts). */
export const SIMD_WASM_KERNELS: readonly tf.KernelConfig[] = [
  config('Conv2DBackpropFilter', withFallback(convFilterGrad, conv2DBackpropFilter, nhwc)),
  config('DepthwiseConv2dNative', withFallback(dwForward, builtin('DepthwiseConv2dNative'), (a) => nhwc(a) && multiplierOne(inputFilter)(a))),
  config('DepthwiseConv2dNativeBackpropFilter', withFallback(dwFilterGrad, depthwiseBackpropFilter, multiplierOne((a) => (a.attrs as { filterShape: number[] }).filterShape))),
  config('DepthwiseConv2dNativeBackpropInput', withFallback(dwInputGrad, depthwiseBackpropInput, multiplierOne(inputFilter))),
  config('MaxPoolGrad', withFallback(simdMaxPoolGrad, maxPoolGrad)),
  config('AvgPoolGrad', withFallback(simdAvgPoolGrad, avgPoolGrad)),
  BN_TRAIN_CONFIG,
  config(BN_GRAD_KERNEL, withFallback(bnGrad, unavailable(BN_GRAD_KERNEL))),
  ...EDGE_KERNELS,
];

/** True when tfnas's fused kernels (batch norm, mixed edge; simd/) can run on the active backend. */
export function fusedKernelsActive(): boolean {
  return tf.getBackend() === 'wasm' && simdKernels(tf.backend()) !== null && tf.getKernel(BN_TRAIN_KERNEL, 'wasm')?.kernelFunc === BN_TRAIN_CONFIG.kernelFunc;
}
