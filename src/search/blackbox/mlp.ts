/**
 * Tiny dense networks for the model-based searchers, on TensorFlow.js. Weights are initialised
 * from a seeded `Rng` (not tf's global RNG), so a fit is a pure function of (data, seed) and a
 * resumed search retrains exactly the same model.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../space/rng';

/** He-normal values (ReLU nets, He et al. 2015) of a given shape, from `rng`. */
export function heNormal(rng: Rng, shape: number[], fanIn: number): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  const s = Math.sqrt(2 / fanIn);
  for (let i = 0; i < n; i++) data[i] = rng.normal() * s;
  return tf.tensor(data, shape);
}

export interface FitOptions {
  steps: number;
  lr: number;
}

/**
 * An ensemble of `members` MLPs (in → hidden… → 1, ReLU) trained together as one batched network:
 * weights have a leading member axis, so one matMul serves all members. Members differ only in
 * their initialisation (deep ensembles, Lakshminarayanan et al. 2017); the spread of their
 * predictions is the uncertainty estimate.
 */
export class EnsembleMlp {
  private readonly weights: tf.Variable[] = [];
  private readonly biases: tf.Variable[] = [];

  constructor(inDim: number, hidden: number[], readonly members: number, seed: number) {
    const rng = new Rng(seed);
    const dims = [inDim, ...hidden, 1];
    for (let l = 0; l + 1 < dims.length; l++) {
      const w = heNormal(rng, [members, dims[l], dims[l + 1]], dims[l]);
      this.weights.push(tf.variable(w));
      w.dispose();
      const b = tf.zeros([members, 1, dims[l + 1]]);
      this.biases.push(tf.variable(b));
      b.dispose();
    }
  }

  /** [members, N] predictions for inputs x [N, in]. */
  private forward(x: tf.Tensor2D): tf.Tensor2D {
    let h: tf.Tensor = tf.tile(x.expandDims(0), [this.members, 1, 1]);
    for (let l = 0; l < this.weights.length; l++) {
      h = tf.add(tf.matMul(h as tf.Tensor3D, this.weights[l] as tf.Tensor3D), this.biases[l]);
      if (l + 1 < this.weights.length) h = tf.relu(h);
    }
    return tf.squeeze(h, [2]) as tf.Tensor2D;
  }

  /** Full-batch Adam on mean squared error; returns the final loss. */
  async fit(x: number[][], y: number[], opts: FitOptions): Promise<number> {
    const optimizer = tf.train.adam(opts.lr);
    const xs = tf.tensor2d(x);
    const ys = tf.tensor1d(y);
    let last = NaN;
    try {
      for (let s = 0; s < opts.steps; s++) {
        const loss = optimizer.minimize(() => tf.mean(tf.squaredDifference(this.forward(xs), ys)) as tf.Scalar, s + 1 === opts.steps);
        if (loss) {
          last = (await loss.data())[0];
          loss.dispose();
        }
      }
    } finally {
      xs.dispose();
      ys.dispose();
      optimizer.dispose();
    }
    return last;
  }

  /** Mean and standard deviation over members for each input row. */
  async predict(x: number[][]): Promise<{ mean: number[]; std: number[] }> {
    if (x.length === 0) return { mean: [], std: [] };
    const [m, v] = tf.tidy(() => {
      const p = this.forward(tf.tensor2d(x));
      const moments = tf.moments(p, 0);
      return [moments.mean, moments.variance];
    });
    const mean = Array.from(await m.data());
    const std = Array.from(await v.data(), (s) => Math.sqrt(s));
    m.dispose();
    v.dispose();
    return { mean, std };
  }

  dispose(): void {
    for (const t of [...this.weights, ...this.biases]) t.dispose();
  }
}

/** z-scores of `y` (and the mean/std used), so models train on a well-scaled target. */
export function standardize(y: readonly number[]): { z: number[]; mean: number; std: number } {
  const mean = y.reduce((a, b) => a + b, 0) / y.length;
  const std = Math.sqrt(y.reduce((a, b) => a + (b - mean) ** 2, 0) / y.length) || 1;
  return { z: y.map((v) => (v - mean) / std), mean, std };
}
