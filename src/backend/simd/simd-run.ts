import * as tf from '@tensorflow/tfjs';
import { SimdModule, simdKernels, WasmBackendInternals } from './simd';

/** Calling tfnas's SIMD functions (kernels.c) from tfjs kernels of the wasm backend. */

export type Info = tf.TensorInfo;
export type Args = { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs?: tf.NamedAttrMap };
export type KernelFn = (args: Args) => Info | Info[];

export interface WasmBackend extends WasmBackendInternals {
  makeOutput(shape: number[], dtype: tf.DataType): Info;
}

/**
 * Runs SIMD function `name` in the backend's heap: addresses of the inputs, then of new outputs of
 * `outShapes`, then `args`, then (with `workBytes`) the address of scratch space freed afterwards.
 */
export function simdRun(backend: tf.KernelBackend, name: string, inputs: Info[], outShapes: number[][], args: number[], workBytes = 0): Info[] {
  const wasm = backend as unknown as WasmBackend;
  const simd = simdKernels(backend) as SimdModule;
  const outs = outShapes.map((s) => wasm.makeOutput(s, 'float32'));
  const addr = heapAddress(wasm);
  const operands = [...inputs.map(addr), ...outs.map(addr), ...args];
  if (workBytes > 0) withScratch(backend, workBytes, (work) => simd.call(name, [...operands, work]));
  else simd.call(name, operands);
  return outs;
}

/**
 * Runs `body` with the address of `bytes` of scratch space in the backend's heap, freed afterwards
 * (as an unsigned number: addresses past 2 GiB come back from malloc negative).
 */
export function withScratch<T>(backend: tf.KernelBackend, bytes: number, body: (address: number) => T): T {
  const wasm = backend as unknown as WasmBackend;
  const address = wasm.wasm._malloc(bytes) >>> 0;
  try {
    return body(address);
  } finally {
    wasm.wasm._free(address);
  }
}

/** The byte address of a tensor's data in the wasm heap. */
export const heapAddress = (wasm: WasmBackend) => (i: Info): number => (wasm.dataIdMap.get(i.dataId) as { memoryOffset: number }).memoryOffset;

/** Every operand non-empty and float32: tfjs gives an empty tensor no heap address. */
const usable = (a: Args) => Object.values(a.inputs).every((i) => i !== undefined && i.dtype === 'float32' && tf.util.sizeFromShape(i.shape) > 0);

/** `simd` where the module is loaded and `covers` the call, else `fallback`. */
export function withFallback(simd: KernelFn, fallback: KernelFn, covers: (a: Args) => boolean = () => true): KernelFn {
  return (a) => (simdKernels(a.backend) && usable(a) && covers(a) ? simd(a) : fallback(a));
}

export const nhwc = (a: Args) => (a.attrs as { dataFormat?: string }).dataFormat !== 'NCHW';

export const unavailable = (name: string): KernelFn => () => {
  throw new Error(`tfnas: kernel ${name} needs WebAssembly SIMD, which this runtime lacks`);
};

export const config = (kernelName: string, fn: KernelFn): tf.KernelConfig => ({ kernelName, backendName: 'wasm', kernelFunc: fn as unknown as tf.KernelFunc });
