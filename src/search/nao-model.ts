/**
 * The three networks of Neural Architecture Optimization (Luo et al., NeurIPS 2018), trained
 * jointly: an encoder from an architecture's token sequence to a continuous embedding z, a
 * performance predictor f(z) ∈ (0, 1), and a decoder from z back to per-position token logits.
 * NAO uses LSTMs; here they are small dense nets over the padded one-hot sequence (the sequences
 * are short and fixed-length: 6 tokens for NAS-Bench-201, 32 for DARTS). Loss as in NAO:
 * λ·MSE(f(z), y) + (1-λ)·reconstruction cross-entropy, λ = 0.8 (NAO's default trade_off).
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../space/rng';
import { heNormal } from './mlp';

export const NAO_MODEL_DEFAULTS = { hidden: 64, embedding: 16, tradeOff: 0.8, steps: 150, lr: 0.01 };

type Layer = { w: tf.Variable; b: tf.Variable };

export class NaoModel {
  private readonly positions: number;
  private readonly width: number;
  /** 0 for real tokens, -1e9 for the padding slots past a position's vocabulary. */
  private readonly mask: tf.Tensor;
  private readonly layers: Record<'enc1' | 'enc2' | 'pred1' | 'pred2' | 'dec1' | 'dec2', Layer>;

  constructor(readonly vocab: readonly number[], seed: number, readonly cfg = NAO_MODEL_DEFAULTS) {
    this.positions = vocab.length;
    this.width = Math.max(...vocab);
    const m = vocab.flatMap((v) => Array.from({ length: this.width }, (_, i) => (i < v ? 0 : -1e9)));
    this.mask = tf.tensor3d(m, [1, this.positions, this.width]);
    const rng = new Rng(seed);
    const inDim = this.positions * this.width;
    const { hidden: h, embedding: e } = cfg;
    const layer = (a: number, b: number): Layer => {
      const w0 = heNormal(rng, [a, b], a);
      const b0 = tf.zeros([b]);
      const l = { w: tf.variable(w0), b: tf.variable(b0) };
      w0.dispose();
      b0.dispose();
      return l;
    };
    this.layers = { enc1: layer(inDim, h), enc2: layer(h, e), pred1: layer(e, h), pred2: layer(h, 1), dec1: layer(e, h), dec2: layer(h, inDim) };
  }

  /** Padded one-hot rows [N, positions·width] of token sequences. */
  oneHot(seqs: number[][]): tf.Tensor2D {
    const data = new Float32Array(seqs.length * this.positions * this.width);
    seqs.forEach((s, n) => s.forEach((t, p) => (data[(n * this.positions + p) * this.width + t] = 1)));
    return tf.tensor2d(data, [seqs.length, this.positions * this.width]);
  }

  private dense(x: tf.Tensor, l: Layer): tf.Tensor {
    return tf.add(tf.matMul(x as tf.Tensor2D, l.w as tf.Tensor2D), l.b);
  }

  encode(x: tf.Tensor2D): tf.Tensor2D {
    return tf.tanh(this.dense(tf.relu(this.dense(x, this.layers.enc1)), this.layers.enc2)) as tf.Tensor2D;
  }

  predict(z: tf.Tensor2D): tf.Tensor1D {
    const h = tf.relu(this.dense(z, this.layers.pred1));
    return tf.sigmoid(this.dense(h, this.layers.pred2)).reshape([-1]) as tf.Tensor1D;
  }

  /** Log-probabilities [N, positions, width] (padding slots ≈ -1e9). */
  decode(z: tf.Tensor2D): tf.Tensor3D {
    const logits = this.dense(tf.relu(this.dense(z, this.layers.dec1)), this.layers.dec2).reshape([-1, this.positions, this.width]);
    return tf.logSoftmax(tf.add(logits, this.mask)) as tf.Tensor3D;
  }

  /** Joint training on all (sequence, score in [0,1]) pairs; returns the last loss. */
  fit(seqs: number[][], y01: number[]): number {
    const optimizer = tf.train.adam(this.cfg.lr);
    const x = this.oneHot(seqs);
    const target = x.reshape([-1, this.positions, this.width]);
    const y = tf.tensor1d(y01);
    const lam = this.cfg.tradeOff;
    let last = NaN;
    try {
      for (let s = 0; s < this.cfg.steps; s++) {
        const loss = optimizer.minimize(() => {
          const z = this.encode(x);
          const mse = tf.mean(tf.squaredDifference(this.predict(z), y));
          const ce = tf.neg(tf.mean(tf.sum(tf.mul(this.decode(z), target), [1, 2]))).div(this.positions);
          return tf.add(tf.mul(lam, mse), tf.mul(1 - lam, ce)) as tf.Scalar;
        }, s + 1 === this.cfg.steps);
        if (loss) {
          last = loss.dataSync()[0];
          loss.dispose();
        }
      }
    } finally {
      for (const t of [x, target, y]) t.dispose();
      optimizer.dispose();
    }
    return last;
  }

  /**
   * NAO's search step: from the embeddings of `seqs`, move along the predictor's gradient
   * direction by `step`·t for t = 1…`iters` and decode; returns per start point the decoded
   * per-position log-probabilities after each step ([iters][N][positions][width]).
   */
  walk(seqs: number[][], step: number, iters: number): number[][][][] {
    const out: number[][][][] = [];
    const [z0, dir] = tf.tidy(() => {
      const z = this.encode(this.oneHot(seqs));
      const g = tf.grad((zz: tf.Tensor) => tf.sum(this.predict(zz as tf.Tensor2D)))(z);
      const norm = tf.add(tf.norm(g, 'euclidean', 1, true), 1e-12);
      return [z, tf.div(g, norm)];
    });
    try {
      for (let t = 1; t <= iters; t++) {
        const logp = tf.tidy(() => this.decode(tf.add(z0, tf.mul(dir, step * t)) as tf.Tensor2D));
        out.push(logp.arraySync());
        logp.dispose();
      }
    } finally {
      z0.dispose();
      dir.dispose();
    }
    return out;
  }

  /** Predicted score in (0, 1) for each sequence. */
  score(seqs: number[][]): number[] {
    const p = tf.tidy(() => this.predict(this.encode(this.oneHot(seqs))));
    const v = Array.from(p.dataSync());
    p.dispose();
    return v;
  }

  dispose(): void {
    this.mask.dispose();
    for (const l of Object.values(this.layers)) {
      l.w.dispose();
      l.b.dispose();
    }
  }
}
