import * as tf from '@tensorflow/tfjs';
import { fusedBnGrad, fusedBnRunning, fusedBnTrain, fusedKernelsActive } from './fused';

/**
 * Training-mode BatchNorm2d with PyTorch's semantics, and its running statistics: composed from
 * tfjs ops on every backend, or one fused kernel each way on wasm (backend/simd).
 */

/** One BatchNorm layer's batch statistics, collected during a training forward pass. */
export interface BnUpdate {
  name: string;
  mean: tf.Tensor1D;
  variance: tf.Tensor1D;
  /** Elements per channel (N·H·W), for PyTorch's unbiased running variance. */
  count: number;
}

/** PyTorch BatchNorm2d defaults (torch.nn.BatchNorm2d: eps 1e-5, momentum 0.1). */
export const BN_EPS = 1e-5;
export const BN_MOMENTUM = 0.1;

/**
 * Per-channel means of an NHWC tensor given as its [N·H·W, C] matrix, as [1, C]: an average pool
 * over each whole image, then the mean of the N rows as a small matMul. On wasm (XNNPACK) this is
 * 2–20x faster than a matMul over all N·H·W rows (xᵀ·1 packs the big operand; 1ᵀ·x packs it as the
 * weights, fresh for every tensor) and than tf.mean over axis 0, which transposes first (measured
 * at N 16–64, 8–32 px, C 8–64).
 */
function colMean(x: tf.Tensor2D, shape: readonly number[]): tf.Tensor2D {
  const [n, h, w, c] = shape;
  const perImage = tf.avgPool(tf.reshape(x, [n, h, w, c]) as tf.Tensor4D, [h, w], 1, 'valid');
  return tf.matMul(tf.fill([1, n], 1 / n) as tf.Tensor2D, tf.reshape(perImage, [n, c]) as tf.Tensor2D);
}

/**
 * Training-mode batch normalisation over N·H·W with its analytic backward pass (a custom
 * gradient: tfjs's FusedBatchNorm gradient plus the gradient through tf.moments costs several
 * times more passes, and FusedBatchNorm's gradient needs a scale tensor). With x̂ = (x − μ)·r,
 * r = 1/√(σ² + ε): dx = r·(g − mean(g) − x̂·mean(g·x̂)) where g = γ·dy; dγ = Σ dy·x̂; dβ = Σ dy.
 * Returns the batch mean and (biased) variance as kept tensors for the running statistics.
 */
export function batchNormTrain(x: tf.Tensor4D, gamma?: tf.Tensor1D, beta?: tf.Tensor1D): BnTrainResult {
  return fusedKernelsActive() ? batchNormTrainFused(x, gamma, beta) : batchNormTrainComposed(x, gamma, beta);
}

export type BnTrainResult = { y: tf.Tensor4D; mean: tf.Tensor1D; variance: tf.Tensor1D };

/** The value and gradient of one training batch norm, and its batch statistics (kept). */
type BnBody = (x: tf.Tensor4D, gamma: tf.Tensor | undefined, beta: tf.Tensor | undefined, save: tf.GradSaveFunc) => {
  value: tf.Tensor;
  gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor[];
  mean: tf.Tensor1D;
  variance: tf.Tensor1D;
};

/** Runs `body` as a custom-gradient op over x (and γ, β when both are given). */
function withCustomGrad(x: tf.Tensor4D, gamma: tf.Tensor1D | undefined, beta: tf.Tensor1D | undefined, body: BnBody): BnTrainResult {
  const affine = gamma !== undefined && beta !== undefined;
  let stats: [tf.Tensor1D, tf.Tensor1D] | null = null;
  const f = tf.customGrad((...args: unknown[]) => {
    const [xs, g, b] = args as tf.Tensor[];
    const { value, gradFunc, mean, variance } = body(xs as tf.Tensor4D, affine ? g : undefined, affine ? b : undefined, args[args.length - 1] as tf.GradSaveFunc);
    stats = [tf.keep(mean), tf.keep(variance)];
    return { value, gradFunc };
  });
  const y = (affine ? f(x, gamma, beta) : f(x)) as tf.Tensor4D;
  const [mean, variance] = stats as unknown as [tf.Tensor1D, tf.Tensor1D];
  return { y, mean, variance };
}

/** `batchNormTrain` from tfjs ops (every backend). */
export function batchNormTrainComposed(x: tf.Tensor4D, gamma?: tf.Tensor1D, beta?: tf.Tensor1D): BnTrainResult {
  const shape = x.shape;
  const C = shape[3];
  const M = shape[0] * shape[1] * shape[2];
  return withCustomGrad(x, gamma, beta, (xs, g, b, save) => {
    const affine = g !== undefined;
    const x2 = tf.reshape(xs, [M, C]) as tf.Tensor2D;
    const mu = colMean(x2, shape);
    const xc = tf.sub(x2, mu);
    const v = colMean(tf.square(xc) as tf.Tensor2D, shape);
    const r = tf.rsqrt(tf.add(v, BN_EPS));
    const xhat = tf.mul(xc, r) as tf.Tensor2D;
    const y2 = affine ? tf.add(tf.mul(xhat, g), b as tf.Tensor) : xhat;
    save(affine ? [xhat, r, g] : [xhat, r]);
    return {
      value: tf.reshape(y2, shape),
      mean: tf.reshape(mu, [C]) as tf.Tensor1D,
      variance: tf.reshape(v, [C]) as tf.Tensor1D,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sxhat, sr, sg] = saved as tf.Tensor2D[];
        const dy2 = tf.reshape(dy, [M, C]) as tf.Tensor2D;
        const dyg = affine ? (tf.mul(dy2, sg) as tf.Tensor2D) : dy2;
        const m1 = colMean(dyg, shape);
        const m2 = colMean(tf.mul(dyg, sxhat) as tf.Tensor2D, shape);
        const dx = tf.reshape(tf.mul(tf.sub(tf.sub(dyg, m1), tf.mul(sxhat, m2)), sr), shape);
        if (!affine) return [dx];
        const dGamma = tf.reshape(tf.mul(colMean(tf.mul(dy2, sxhat) as tf.Tensor2D, shape), M), [C]);
        const dBeta = tf.reshape(tf.mul(colMean(dy2, shape), M), [C]);
        return [dx, dGamma, dBeta];
      },
    };
  });
}

/**
 * `batchNormTrain` with one fused kernel each way (wasm SIMD, backend/simd): the forward returns
 * x̂, the statistics and r; the backward returns dx = γr·(dy − mean(dy) − x̂·mean(dy·x̂)) with
 * Σdy·x̂ = dγ and Σdy = dβ, the same formulas as the composed version.
 */
export function batchNormTrainFused(x: tf.Tensor4D, gamma?: tf.Tensor1D, beta?: tf.Tensor1D): BnTrainResult {
  return withCustomGrad(x, gamma, beta, (xs, g, b, save) => {
    const [xhat, mean, variance, r] = fusedBnTrain(xs, BN_EPS);
    const scale = g ? tf.mul(r, g) : r;
    save([xhat, scale]);
    return {
      value: g ? tf.add(tf.mul(xhat, g), b as tf.Tensor) : xhat,
      mean: mean as tf.Tensor1D,
      variance: variance as tf.Tensor1D,
      gradFunc: (dy: tf.Tensor, [sxhat, sscale]: tf.Tensor[]) => {
        const [dx, sumDy, sumDyXhat] = fusedBnGrad(dy, sxhat, sscale);
        if (g) return [dx, sumDyXhat, sumDy];
        tf.dispose([sumDy, sumDyXhat]);
        return [dx];
      },
    };
  });
}

/**
 * Folds collected batch statistics into the running statistics (momentum 0.1; the running
 * variance uses the unbiased batch variance, as PyTorch does) and disposes the collected tensors.
 */
export function applyBnUpdates(buffers: Record<string, tf.Variable>, updates: BnUpdate[]): void {
  const fused = fusedKernelsActive();
  tf.tidy(() => {
    for (const u of updates) {
      const rm = buffers[`${u.name}/mean`];
      const rv = buffers[`${u.name}/var`];
      const varMomentum = BN_MOMENTUM * (u.count > 1 ? u.count / (u.count - 1) : 1);
      if (fused) {
        const [m, v] = fusedBnRunning(rm, rv, u.mean, u.variance, BN_MOMENTUM, varMomentum);
        rm.assign(m);
        rv.assign(v);
      } else {
        rm.assign(tf.add(tf.mul(rm, 1 - BN_MOMENTUM), tf.mul(u.mean, BN_MOMENTUM)));
        rv.assign(tf.add(tf.mul(rv, 1 - BN_MOMENTUM), tf.mul(u.variance, varMomentum)));
      }
    }
  });
  for (const u of updates) {
    u.mean.dispose();
    u.variance.dispose();
  }
  updates.length = 0;
}
