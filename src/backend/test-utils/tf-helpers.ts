import * as tf from '@tensorflow/tfjs';
import { Arr4, AxisGeom, axisGeom, PadSpec, relativeError } from './reference';

/** A float32 tensor holding a reference array. */
export function tensor4(a: Arr4): tf.Tensor4D {
  return tf.tensor4d(Float32Array.from(a.data), a.shape);
}

/** Runs a kernel by name through the engine (bypassing the ops' argument checks), returns its tensor. */
export function runKernel(name: string, inputs: Record<string, tf.Tensor>, attrs: object): tf.Tensor {
  return tf.engine().runKernel(name, inputs as tf.NamedTensorMap, attrs as tf.NamedAttrMap) as tf.Tensor;
}

/** Calls a kernel function directly on the active backend (for variants not registered). */
export function callKernelFunc(fn: (args: { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs?: tf.NamedAttrMap }) => tf.TensorInfo,
  inputs: Record<string, tf.Tensor>, attrs: object): tf.Tensor {
  const info = fn({ inputs: inputs as tf.NamedTensorInfoMap, backend: tf.backend(), attrs: attrs as tf.NamedAttrMap });
  return tf.engine().makeTensorFromTensorInfo(info);
}

/** Expects same shape and relative error ≤ tol; disposes the tensor. */
export function expectMatches(actual: tf.Tensor, expected: Arr4, label: string, tol = 1e-4): void {
  const shape = actual.shape.join('x');
  const values = actual.dataSync();
  actual.dispose();
  if (shape !== expected.shape.join('x')) throw new Error(`${label}: shape ${shape}, expected ${expected.shape.join('x')}`);
  const err = relativeError(values, expected.data);
  if (!(err <= tol)) throw new Error(`${label}: relative error ${err.toExponential(2)} > ${tol}`);
}

/** A padding variant as tfjs takes it and as the reference takes it, per axis. */
export interface PadCase {
  name: string;
  tf: 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;
  rows: PadSpec;
  cols: PadSpec;
  rounding?: 'floor' | 'ceil';
}

export const PAD_CASES: PadCase[] = [
  { name: 'same', tf: 'same', rows: 'same', cols: 'same' },
  { name: 'valid', tf: 'valid', rows: 'valid', cols: 'valid' },
  { name: 'pad1', tf: 1, rows: 1, cols: 1 }, // no rounding mode: tfjs truncates, as the DARTS ops use it
  { name: 'pad2-ceil', tf: 2, rows: 2, cols: 2, rounding: 'ceil' },
  { name: 'explicit', tf: [[0, 0], [2, 1], [0, 3], [0, 0]], rows: [2, 1], cols: [0, 3] },
];

export function geoms(h: number, w: number, k: number, s: number, d: number, p: PadCase): [AxisGeom, AxisGeom] {
  return [axisGeom(h, k, s, d, p.rows, p.rounding), axisGeom(w, k, s, d, p.cols, p.rounding)];
}

/** Tensors alive plus data buffers held by the backend (catches kernel intermediates never freed). */
export function liveCounts(): [number, number] {
  return [tf.memory().numTensors, tf.engine().backend.numDataIds()];
}
