import * as tf from '@tensorflow/tfjs';
import { simdKernels, SimdModule } from './simd';
import { Args, config, heapAddress, Info, KernelFn, simdRun, unavailable, WasmBackend, withFallback, withScratch } from './simd-run';

/**
 * Fused supernet kernels (wasm SIMD): the mixed edge's weighted sum and its gradient, and the
 * BatchNorm running-statistics update. Each replaces several small tfjs kernels per edge or layer
 * (unstack, K multiplies, addN; and in the backward per term a multiply, a sum and two casts),
 * whose per-call overhead dominated once the convolutions were fast.
 */

/** y = Σ_k w[indices[k]]·t_k; inputs `w`, `t0` … `t{K-1}`; attrs `indices`. */
export const WEIGHTED_SUM_KERNEL = 'TfnasWeightedSum';
/** Inputs `dy`, `w`, `t0` …; attrs `indices`; outputs [dw, dt0, …, dt{K-1}]. */
export const WEIGHTED_SUM_GRAD_KERNEL = 'TfnasWeightedSumGrad';
/** Inputs running mean, running var, batch mean, batch var; attrs momentum, varMomentum; outputs the new running pair. */
export const BN_RUNNING_KERNEL = 'TfnasBatchNormRunning';

const termsOf = (inputs: tf.NamedTensorInfoMap, K: number): Info[] => Array.from({ length: K }, (_, k) => inputs[`t${k}`] as Info);

/** Runs `body` with the address of an int32 table holding `entries` in the backend's heap. */
function withTable<T>(backend: tf.KernelBackend, entries: number[], body: (table: number) => T): T {
  const wasm = backend as unknown as WasmBackend;
  return withScratch(backend, 4 * entries.length, (table) => {
    // A view of the memory as it is now: the malloc may have grown it, and the Module's HEAP32
    // view is not always renewed on growth.
    new Int32Array((wasm.wasm.asm as { memory: { buffer: ArrayBuffer } }).memory.buffer, table, entries.length).set(entries);
    return body(table);
  });
}

/** The table of kernels.c `weighted_sum`: term addresses then their indices into w. */
const termTable = (wasm: WasmBackend, terms: Info[], indices: number[]) => [...terms.map(heapAddress(wasm)), ...indices];

const weightedSum: KernelFn = ({ inputs, backend, attrs }) => {
  const indices = (attrs as { indices: number[] }).indices;
  const terms = termsOf(inputs, indices.length);
  const n = tf.util.sizeFromShape(terms[0].shape);
  return withTable(backend, termTable(backend as unknown as WasmBackend, terms, indices), (table) =>
    simdRun(backend, 'weighted_sum', [inputs.w as Info], [terms[0].shape], [n, indices.length, table])[0]);
};

const weightedSumGrad: KernelFn = ({ inputs, backend, attrs }) => {
  const indices = (attrs as { indices: number[] }).indices;
  const K = indices.length;
  const wasm = backend as unknown as WasmBackend;
  const addr = heapAddress(wasm);
  const terms = termsOf(inputs, K);
  const w = inputs.w as Info;
  const dw = wasm.makeOutput(w.shape, 'float32');
  const dts = terms.map((t) => wasm.makeOutput(t.shape, 'float32'));
  const n = tf.util.sizeFromShape(terms[0].shape);
  // The table also holds the outputs' addresses, so the outputs are made here rather than by simdRun.
  withTable(backend, [...termTable(wasm, terms, indices), ...dts.map(addr)], (table) =>
    withScratch(backend, 8 * (K + 1) + 16 * K, (work) =>
      (simdKernels(backend) as SimdModule).call('weighted_sum_grad', [addr(inputs.dy as Info), addr(w), addr(dw), n, K, w.shape[0], table, work])));
  return [dw, ...dts];
};

/** Terms of one shape, indices within w: anything else is a caller's bug, refused by name. */
function checkWeighted(a: Args): boolean {
  const { indices } = a.attrs as { indices: number[] };
  const w = a.inputs.w as Info;
  const terms = termsOf(a.inputs, indices.length);
  const shape = terms[0]?.shape.join('x');
  if (!terms.length || terms.some((t) => t === undefined || t.shape.join('x') !== shape) || indices.some((i) => i < 0 || i >= w.shape[0] || !Number.isInteger(i))) {
    throw new Error(`tfnas ${WEIGHTED_SUM_KERNEL}: expected terms t0…t${indices.length - 1} of one shape and indices within w's ${w.shape[0]} entries`);
  }
  return true;
}

const bnRunning: KernelFn = ({ inputs, backend, attrs }) => {
  const { runMean, runVar, mean, variance } = inputs as Record<string, Info>;
  const { momentum, varMomentum } = attrs as { momentum: number; varMomentum: number };
  const C = runMean.shape[0];
  return simdRun(backend, 'bn_running', [runMean, runVar, mean, variance], [[C], [C]], [C, momentum, varMomentum]);
};

export const EDGE_KERNELS: readonly tf.KernelConfig[] = [
  config(WEIGHTED_SUM_KERNEL, withFallback(weightedSum, unavailable(WEIGHTED_SUM_KERNEL), checkWeighted)),
  config(WEIGHTED_SUM_GRAD_KERNEL, withFallback(weightedSumGrad, unavailable(WEIGHTED_SUM_GRAD_KERNEL), checkWeighted)),
  config(BN_RUNNING_KERNEL, withFallback(bnRunning, unavailable(BN_RUNNING_KERNEL))),
];
