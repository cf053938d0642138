import * as tf from '@tensorflow/tfjs';
import { Rng } from '../space/rng';
import { BN_GRAD_KERNEL, BN_TRAIN_KERNEL, fusedKernelsActive } from '../backend/simd/simd-kernels';
import { BN_RUNNING_KERNEL } from '../backend/simd/edge-kernels';

/**
 * The functional building blocks of the candidate ops. Every op is a closure over the *names* of
 * its parameters; at call time it reads the tensors from `ctx.w`, which is either the live
 * variables or any other tensors of the same shapes (DARTS's virtual weights w' and the perturbed
 * w± of the second-order step). That gives exact control over what is differentiated, with no
 * model cloning and no tfjs second derivatives.
 */
export type Weights = Record<string, tf.Tensor>;

export type Recompute = 'none' | 'edges' | 'cells';
export const RECOMPUTE_MODES: readonly Recompute[] = ['none', 'edges', 'cells'];

/** One BatchNorm layer's batch statistics, collected during a training forward pass. */
export interface BnUpdate {
  name: string;
  mean: tf.Tensor1D;
  variance: tf.Tensor1D;
  /** Elements per channel (N·H·W), for PyTorch's unbiased running variance. */
  count: number;
}

export interface OpContext {
  /** true: BatchNorm normalises with batch statistics (PyTorch `model.train()`); false: running statistics. */
  training: boolean;
  /** Trainable weights by name (the variables, or substitutes of the same shapes). */
  w: Weights;
  /** BatchNorm running statistics by name (`<bn>/mean`, `<bn>/var`). */
  buffers: Weights;
  /** When non-null (and training), each BatchNorm appends its batch statistics here (kept tensors). */
  bnUpdates: BnUpdate[] | null;
  /**
   * Gradient checkpointing of the supernet in training forwards (see nets/supernet-edge.ts):
   * `edges` recomputes each edge in the backward pass, `cells` each cell (of recomputed edges) —
   * the least memory; `none` (or absent) keeps every activation.
   */
  recompute?: Recompute;
  /**
   * false: the caller differentiates with respect to α and inputs only, so checkpointed blocks skip
   * the weights' gradients in their recomputed backward (DARTS's architecture steps; tfjs prunes
   * them by itself elsewhere). Default true.
   */
  paramGrads?: boolean;
}

export type Apply = (x: tf.Tensor4D, ctx: OpContext) => tf.Tensor4D;

/** A built op: its forward function, and whether it is the `none` op (output identically zero). */
export interface Op {
  apply: Apply;
  zero?: boolean;
  /**
   * For ops that begin with a ReLU: the rest of the op, applied to an input already passed through
   * ReLU. A mixed node computes relu(h) once and hands it to all such ops of every edge leaving h
   * (the same values as each op's own ReLU, with one activation kept for the backward pass instead
   * of one per op).
   */
  afterRelu?: Apply;
}

/** An op made of ReLU followed by `body`. */
export function reluFirst(body: Apply): Op {
  return { apply: (x, ctx) => body(tf.relu(x), ctx), afterRelu: body };
}

/** A variable holding `init`'s values; `init` is disposed (tf.variable would leave it alive). */
export function variableFrom(init: tf.Tensor, trainable: boolean): tf.Variable {
  const v = tf.variable(init, trainable);
  init.dispose();
  return v;
}

/** PyTorch BatchNorm2d defaults (torch.nn.BatchNorm2d: eps 1e-5, momentum 0.1). */
export const BN_EPS = 1e-5;
export const BN_MOMENTUM = 0.1;

/**
 * Creates parameters with PyTorch's default initialisation, seeded, and records them by name.
 * Names are hierarchical (`cells.3.edges.5.sep_conv_3x3.dw1`) and unique within one network.
 */
export class ParamBuilder {
  readonly params: Record<string, tf.Variable> = {};
  readonly buffers: Record<string, tf.Variable> = {};

  constructor(private readonly rng: Rng) {}

  private add(name: string, shape: number[], values: Float32Array): string {
    if (this.params[name]) throw new Error(`duplicate parameter name ${name}`);
    this.params[name] = variableFrom(tf.tensor(values, shape), true);
    return name;
  }

  /** Uniform(−b, b) with b = 1/√fan_in: PyTorch's kaiming_uniform_(a=√5) for conv and linear weights. */
  private uniform(n: number, fanIn: number): Float32Array {
    const b = 1 / Math.sqrt(fanIn);
    const v = new Float32Array(n);
    for (let i = 0; i < n; i++) v[i] = (2 * this.rng.next() - 1) * b;
    return v;
  }

  /** A k×k convolution filter [k, k, cin, cout] (no bias, as every conv in DARTS/NB201). */
  conv(name: string, k: number, cin: number, cout: number): string {
    return this.add(name, [k, k, cin, cout], this.uniform(k * k * cin * cout, k * k * cin));
  }

  /** A depthwise filter [k, k, C, 1] (PyTorch groups=C: fan_in = k·k). */
  depthwise(name: string, k: number, C: number): string {
    return this.add(name, [k, k, C, 1], this.uniform(k * k * C, k * k));
  }

  /** A linear layer: weight [cin, cout] and bias [cout], both Uniform(±1/√cin) as torch.nn.Linear. */
  linear(name: string, cin: number, cout: number): { weight: string; bias: string } {
    const weight = this.add(`${name}.weight`, [cin, cout], this.uniform(cin * cout, cin));
    const bias = this.add(`${name}.bias`, [cout], this.uniform(cout, cin));
    return { weight, bias };
  }

  /** BatchNorm state: running mean 0 / var 1 (buffers), and γ=1, β=0 when affine. */
  bn(name: string, C: number, affine: boolean): string {
    if (this.buffers[`${name}/mean`]) throw new Error(`duplicate BatchNorm name ${name}`);
    this.buffers[`${name}/mean`] = variableFrom(tf.zeros([C]), false);
    this.buffers[`${name}/var`] = variableFrom(tf.ones([C]), false);
    if (affine) {
      this.add(`${name}.gamma`, [C], new Float32Array(C).fill(1));
      this.add(`${name}.beta`, [C], new Float32Array(C));
    }
    return name;
  }

  /** Trainable parameter count (what PyTorch's count_parameters reports). */
  count(): number {
    return Object.values(this.params).reduce((s, v) => s + v.size, 0);
  }
}

/**
 * BatchNorm2d with PyTorch semantics: batch statistics (biased variance) when training, running
 * statistics otherwise; affine γ/β only when the layer has them.
 */
export function batchNorm(name: string, affine: boolean): Apply {
  return (x, ctx) => {
    const gamma = affine ? (ctx.w[`${name}.gamma`] as tf.Tensor1D) : undefined;
    const beta = affine ? (ctx.w[`${name}.beta`] as tf.Tensor1D) : undefined;
    if (!ctx.training) {
      return tf.batchNorm4d(x, ctx.buffers[`${name}/mean`] as tf.Tensor1D, ctx.buffers[`${name}/var`] as tf.Tensor1D, beta, gamma, BN_EPS);
    }
    const { y, mean, variance } = batchNormTrain(x, gamma, beta);
    if (ctx.bnUpdates) {
      const [n, h, w] = x.shape;
      ctx.bnUpdates.push({ name, mean, variance, count: n * h * w });
    } else {
      tf.dispose([mean, variance]);
    }
    return y;
  };
}

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

type BnTrainResult = { y: tf.Tensor4D; mean: tf.Tensor1D; variance: tf.Tensor1D };

/** `batchNormTrain` from tfjs ops (every backend). */
export function batchNormTrainComposed(x: tf.Tensor4D, gamma?: tf.Tensor1D, beta?: tf.Tensor1D): BnTrainResult {
  const shape = x.shape;
  const C = shape[3];
  const M = shape[0] * shape[1] * shape[2];
  const affine = gamma !== undefined && beta !== undefined;
  let mean: tf.Tensor1D | null = null;
  let variance: tf.Tensor1D | null = null;
  const f = tf.customGrad((...args: unknown[]) => {
    const [xs, g, b] = args as tf.Tensor[];
    const save = args[args.length - 1] as tf.GradSaveFunc;
    const x2 = tf.reshape(xs, [M, C]) as tf.Tensor2D;
    const mu = colMean(x2, shape);
    const xc = tf.sub(x2, mu);
    const v = colMean(tf.square(xc) as tf.Tensor2D, shape);
    const r = tf.rsqrt(tf.add(v, BN_EPS));
    const xhat = tf.mul(xc, r) as tf.Tensor2D;
    mean = tf.keep(tf.reshape(mu, [C])) as tf.Tensor1D;
    variance = tf.keep(tf.reshape(v, [C])) as tf.Tensor1D;
    const y2 = affine ? tf.add(tf.mul(xhat, g), b) : xhat;
    save(affine ? [xhat, r, g] : [xhat, r]);
    return {
      value: tf.reshape(y2, shape),
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
  const y = (affine ? f(x, gamma, beta) : f(x)) as tf.Tensor4D;
  return { y, mean: mean as unknown as tf.Tensor1D, variance: variance as unknown as tf.Tensor1D };
}

/**
 * `batchNormTrain` with one fused kernel each way (wasm SIMD, backend/simd): the forward returns
 * x̂, the statistics and r; the backward returns dx = γr·(dy − mean(dy) − x̂·mean(dy·x̂)) with
 * Σdy·x̂ = dγ and Σdy = dβ, the same formulas as the composed version.
 */
export function batchNormTrainFused(x: tf.Tensor4D, gamma?: tf.Tensor1D, beta?: tf.Tensor1D): BnTrainResult {
  const affine = gamma !== undefined && beta !== undefined;
  let mean: tf.Tensor1D | null = null;
  let variance: tf.Tensor1D | null = null;
  const f = tf.customGrad((...args: unknown[]) => {
    const [xs, g, b] = args as tf.Tensor[];
    const save = args[args.length - 1] as tf.GradSaveFunc;
    const [xhat, mu, v, r] = tf.engine().runKernel(BN_TRAIN_KERNEL, { x: xs }, { eps: BN_EPS }) as tf.Tensor[];
    mean = tf.keep(mu as tf.Tensor1D);
    variance = tf.keep(v as tf.Tensor1D);
    const scale = affine ? tf.mul(r, g) : r;
    save([xhat, scale]);
    return {
      value: affine ? tf.add(tf.mul(xhat, g), b) : xhat,
      gradFunc: (dy: tf.Tensor, [sxhat, sscale]: tf.Tensor[]) => {
        const [dx, sumDy, sumDyXhat] = tf.engine().runKernel(BN_GRAD_KERNEL, { dy, xhat: sxhat, scale: sscale }, {}) as tf.Tensor[];
        if (affine) return [dx, sumDyXhat, sumDy];
        tf.dispose([sumDy, sumDyXhat]);
        return [dx];
      },
    };
  });
  const y = (affine ? f(x, gamma, beta) : f(x)) as tf.Tensor4D;
  return { y, mean: mean as unknown as tf.Tensor1D, variance: variance as unknown as tf.Tensor1D };
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
        const inputs = { runMean: rm, runVar: rv, mean: u.mean, variance: u.variance };
        const [m, v] = tf.engine().runKernel(BN_RUNNING_KERNEL, inputs, { momentum: BN_MOMENTUM, varMomentum }) as tf.Tensor[];
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

/** Runs ops one after another. */
export function sequence(...fs: Apply[]): Apply {
  return (x, ctx) => fs.reduce((h, f) => f(h, ctx), x);
}

export const relu: Apply = (x) => tf.relu(x);
