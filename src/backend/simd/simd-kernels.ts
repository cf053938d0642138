import * as tf from '@tensorflow/tfjs';
import { SimdModule, simdKernels, WasmBackendInternals } from './simd';
import { BackpropAttrs, forwardInfo } from '../wasm-kernels/geometry';
import { depthwiseBackpropFilter, depthwiseBackpropInput } from '../wasm-kernels/depthwise-backprop';
import { maxPoolGrad } from '../wasm-kernels/max-pool-grad';
import { avgPoolGrad } from '../avgpool-grad';
import { PoolGradAttrs, poolInfo } from '../pool-grad';

/**
 * wasm kernels backed by the SIMD module (kernels.c): the depthwise backprops (channel multiplier
 * 1, every DARTS/NB201 case), both pooling gradients, and tfnas's fused batch normalisation
 * (TfnasBatchNormTrain / TfnasBatchNormGrad, used by ops/context.ts `batchNormTrain`). Each falls
 * back to the composed kernel where the SIMD module is unavailable or the case is not covered.
 */

type Info = tf.TensorInfo;
type Args = { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs?: tf.NamedAttrMap };
type KernelFn = (args: Args) => Info | Info[];

interface WasmBackend extends WasmBackendInternals {
  makeOutput(shape: number[], dtype: tf.DataType): Info;
}

/**
 * Runs SIMD function `name` in the backend's heap: addresses of the inputs, then of new outputs of
 * `outShapes`, then `args`, then (with `workBytes`) the address of scratch space freed afterwards.
 */
function simdRun(backend: tf.KernelBackend, name: string, inputs: Info[], outShapes: number[][], args: number[], workBytes = 0): Info[] {
  const wasm = backend as unknown as WasmBackend;
  const simd = simdKernels(backend) as SimdModule;
  const outs = outShapes.map((s) => wasm.makeOutput(s, 'float32'));
  const addr = (i: Info) => (wasm.dataIdMap.get(i.dataId) as { memoryOffset: number }).memoryOffset;
  const work = workBytes > 0 ? wasm.wasm._malloc(workBytes) : 0;
  try {
    simd.call(name, [...inputs.map(addr), ...outs.map(addr), ...args, ...(workBytes > 0 ? [work] : [])]);
  } finally {
    if (work) wasm.wasm._free(work);
  }
  return outs;
}

/** Every operand non-empty and float32: tfjs gives an empty tensor no heap address. */
const usable = (a: Args) => Object.values(a.inputs).every((i) => i !== undefined && i.dtype === 'float32' && tf.util.sizeFromShape(i.shape) > 0);

/** `simd` where the module is loaded and `covers` the call, else `fallback`. */
function withFallback(simd: KernelFn, fallback: KernelFn, covers: (a: Args) => boolean = () => true): KernelFn {
  return (a) => (simdKernels(a.backend) && usable(a) && covers(a) ? simd(a) : fallback(a));
}

function convArgs(c: tf.backend_util.Conv2DInfo): number[] {
  return [c.batchSize, c.inHeight, c.inWidth, c.inChannels, c.outHeight, c.outWidth, c.filterHeight, c.filterWidth,
    c.strideHeight, c.strideWidth, c.dilationHeight, c.dilationWidth, c.padInfo.top, c.padInfo.left];
}

const multiplierOne = (shape: (a: Args) => number[]) => (a: Args) => shape(a)[3] === 1;

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
  return simdRun(backend, 'dw_input_grad', [dy, filter], [a.inputShape], convArgs(c))[0];
};

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

const unavailable = (name: string): KernelFn => () => {
  throw new Error(`tfnas: kernel ${name} needs WebAssembly SIMD, which this runtime lacks`);
};

const config = (kernelName: string, fn: KernelFn): tf.KernelConfig => ({ kernelName, backendName: 'wasm', kernelFunc: fn as unknown as tf.KernelFunc });

const BN_TRAIN_CONFIG = config(BN_TRAIN_KERNEL, withFallback(bnTrain, unavailable(BN_TRAIN_KERNEL)));

/** The SIMD-backed wasm kernels (registered by backend/patches.ts). */
export const SIMD_WASM_KERNELS: readonly tf.KernelConfig[] = [
  config('DepthwiseConv2dNativeBackpropFilter', withFallback(dwFilterGrad, depthwiseBackpropFilter, multiplierOne((a) => (a.attrs as { filterShape: number[] }).filterShape))),
  config('DepthwiseConv2dNativeBackpropInput', withFallback(dwInputGrad, depthwiseBackpropInput, multiplierOne((a) => (a.inputs.filter as Info).shape))),
  config('MaxPoolGrad', withFallback(simdMaxPoolGrad, maxPoolGrad)),
  config('AvgPoolGrad', withFallback(simdAvgPoolGrad, avgPoolGrad)),
  BN_TRAIN_CONFIG,
  config(BN_GRAD_KERNEL, withFallback(bnGrad, unavailable(BN_GRAD_KERNEL))),
];

/** True when the fused batch-norm kernels can run on the active backend. */
export function hasFusedBatchNorm(): boolean {
  return tf.getBackend() === 'wasm' && simdKernels(tf.backend()) !== null && tf.getKernel(BN_TRAIN_KERNEL, 'wasm')?.kernelFunc === BN_TRAIN_CONFIG.kernelFunc;
}
