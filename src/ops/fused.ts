import * as tf from '@tensorflow/tfjs';
import { BN_GRAD_KERNEL, BN_TRAIN_KERNEL, fusedKernelsActive } from '../backend/simd/simd-kernels';
import { BN_RUNNING_KERNEL, WEIGHTED_SUM_GRAD_KERNEL, WEIGHTED_SUM_KERNEL } from '../backend/simd/edge-kernels';

/**
 * The one door from ops/, nets/ and search/ to tfnas's fused SIMD kernels (backend/simd, see
 * backend/README.md): whether they run on the active backend, and each kernel as a function.
 * Callers keep a composed tfjs-op path for the other backends.
 */
export { fusedKernelsActive };

/** Training BatchNorm forward: [x̂, mean, biased variance, r = 1/√(var + eps)]. */
export function fusedBnTrain(x: tf.Tensor, eps: number): tf.Tensor[] {
  return tf.engine().runKernel(BN_TRAIN_KERNEL, { x }, { eps }) as tf.Tensor[];
}

/** Training BatchNorm backward: [dx, Σdy, Σdy·x̂] given dy, x̂ and scale = γ·r. */
export function fusedBnGrad(dy: tf.Tensor, xhat: tf.Tensor, scale: tf.Tensor): tf.Tensor[] {
  return tf.engine().runKernel(BN_GRAD_KERNEL, { dy, xhat, scale }, {}) as tf.Tensor[];
}

/** New running [mean, variance] from the old ones and a batch's statistics. */
export function fusedBnRunning(runMean: tf.Tensor, runVar: tf.Tensor, mean: tf.Tensor, variance: tf.Tensor, momentum: number, varMomentum: number): tf.Tensor[] {
  return tf.engine().runKernel(BN_RUNNING_KERNEL, { runMean, runVar, mean, variance }, { momentum, varMomentum }) as tf.Tensor[];
}

const named = (w: tf.Tensor, ts: tf.Tensor[]) => Object.fromEntries([['w', w], ...ts.map((t, k) => [`t${k}`, t])]) as tf.NamedTensorMap;

/** Σ_k w[indices[k]]·terms[k]. */
export function fusedWeightedSum(w: tf.Tensor, terms: tf.Tensor[], indices: number[]): tf.Tensor4D {
  return tf.engine().runKernel(WEIGHTED_SUM_KERNEL, named(w, terms), { indices } as unknown as tf.NamedAttrMap) as tf.Tensor4D;
}

/** Gradients of `fusedWeightedSum` with respect to w and each term, given dy. */
export function fusedWeightedSumGrad(dy: tf.Tensor, w: tf.Tensor, terms: tf.Tensor[], indices: number[]): tf.Tensor[] {
  return tf.engine().runKernel(WEIGHTED_SUM_GRAD_KERNEL, { dy, ...named(w, terms) }, { indices } as unknown as tf.NamedAttrMap) as tf.Tensor[];
}
