import * as tf from '@tensorflow/tfjs';

/**
 * Optimisers with PyTorch semantics (the DARTS reference is PyTorch), written out explicitly so
 * that (a) weight decay is the L2 term added to the gradient as torch.optim does, (b) DARTS's
 * second-order step can form the virtual weights w' from the momentum buffers, and (c) the whole
 * state can be checkpointed as named tensors.
 */
export type Params = Record<string, tf.Variable>;
export type Grads = Record<string, tf.Tensor>;

/** Global-norm clipping as torch.nn.utils.clip_grad_norm_ (coefficient max/(norm+1e-6), only if < 1). */
export function clipByGlobalNorm(grads: Grads, maxNorm: number): { grads: Grads; norm: tf.Scalar } {
  return tf.tidy(() => {
    const names = Object.keys(grads);
    const sq = names.map((n) => tf.sum(tf.square(grads[n])));
    const norm = tf.sqrt(sq.length > 0 ? tf.addN(sq) : tf.scalar(0)) as tf.Scalar;
    const coef = tf.minimum(tf.scalar(1), tf.div(maxNorm, tf.add(norm, 1e-6)));
    const out: Grads = {};
    for (const n of names) out[n] = tf.mul(grads[n], coef);
    return { grads: out, norm };
  });
}

function replace(store: Record<string, tf.Tensor>, name: string, value: tf.Tensor): void {
  const old = store[name];
  store[name] = tf.keep(value);
  if (old) old.dispose();
}

export interface SgdOptions {
  momentum: number;
  weightDecay: number;
}

/** SGD with momentum: g += wd·w; v = μ·v + g; w -= lr·v (torch.optim.SGD, dampening 0). */
export class SgdMomentum {
  private buffers: Record<string, tf.Tensor> = {};

  constructor(private readonly params: Params, private readonly opts: SgdOptions) {}

  step(grads: Grads, lr: number): void {
    tf.tidy(() => {
      for (const [name, w] of Object.entries(this.params)) {
        const g0 = grads[name];
        if (!g0) continue;
        const g = this.opts.weightDecay ? tf.add(g0, tf.mul(w, this.opts.weightDecay)) : g0;
        const prev = this.buffers[name];
        const v = prev ? tf.add(tf.mul(prev, this.opts.momentum), g) : tf.clone(g);
        replace(this.buffers, name, v);
        w.assign(tf.sub(w, tf.mul(v, lr)));
      }
    });
  }

  /**
   * The weights one step would give, without changing any state: w' = w − lr·(μ·v + g + wd·w)
   * (DARTS architect.py `_compute_unrolled_model`). The caller owns the returned tensors.
   */
  virtualStep(grads: Grads, lr: number): Grads {
    return tf.tidy(() => {
      const out: Grads = {};
      for (const [name, w] of Object.entries(this.params)) {
        const g = grads[name] ?? tf.zerosLike(w);
        let d = tf.add(g, tf.mul(w, this.opts.weightDecay));
        const v = this.buffers[name];
        if (v) d = tf.add(d, tf.mul(v, this.opts.momentum));
        out[name] = tf.sub(w, tf.mul(d, lr));
      }
      return out;
    });
  }

  momentumOf(name: string): tf.Tensor | undefined {
    return this.buffers[name];
  }

  /** Named tensors for a checkpoint (the caller must not dispose them). */
  state(): Record<string, tf.Tensor> {
    const out: Record<string, tf.Tensor> = {};
    for (const [n, t] of Object.entries(this.buffers)) out[`momentum/${n}`] = t;
    return out;
  }

  loadState(tensors: Record<string, tf.Tensor>): void {
    this.dispose();
    for (const [key, t] of Object.entries(tensors)) {
      if (key.startsWith('momentum/')) this.buffers[key.slice(9)] = tf.keep(tf.clone(t));
    }
  }

  dispose(): void {
    for (const t of Object.values(this.buffers)) t.dispose();
    this.buffers = {};
  }
}

export interface AdamOptions {
  beta1: number;
  beta2: number;
  eps?: number;
  weightDecay: number;
}

/** torch.optim.Adam with L2 weight decay added to the gradient (not AdamW). */
export class Adam {
  private m: Record<string, tf.Tensor> = {};
  private v: Record<string, tf.Tensor> = {};
  private t = 0;

  constructor(private readonly params: Params, private readonly opts: AdamOptions) {}

  step(grads: Grads, lr: number): void {
    this.t += 1;
    const { beta1, beta2, weightDecay } = this.opts;
    const eps = this.opts.eps ?? 1e-8; // PyTorch's default, not tfjs's backend epsilon
    const bc1 = 1 - Math.pow(beta1, this.t);
    const bc2 = 1 - Math.pow(beta2, this.t);
    tf.tidy(() => {
      for (const [name, p] of Object.entries(this.params)) {
        const g0 = grads[name];
        if (!g0) continue;
        const g = weightDecay ? tf.add(g0, tf.mul(p, weightDecay)) : g0;
        const m = tf.add(tf.mul(this.m[name] ?? tf.zerosLike(p), beta1), tf.mul(g, 1 - beta1));
        const v = tf.add(tf.mul(this.v[name] ?? tf.zerosLike(p), beta2), tf.mul(tf.square(g), 1 - beta2));
        replace(this.m, name, m);
        replace(this.v, name, v);
        const denom = tf.add(tf.div(tf.sqrt(v), Math.sqrt(bc2)), eps);
        p.assign(tf.sub(p, tf.mul(tf.div(m, denom), lr / bc1)));
      }
    });
  }

  state(): Record<string, tf.Tensor> {
    const out: Record<string, tf.Tensor> = {};
    for (const [n, t] of Object.entries(this.m)) out[`m/${n}`] = t;
    for (const [n, t] of Object.entries(this.v)) out[`v/${n}`] = t;
    return out;
  }

  /** The step count, for checkpoints (bias correction depends on it). */
  get steps(): number {
    return this.t;
  }

  loadState(tensors: Record<string, tf.Tensor>, steps: number): void {
    this.dispose();
    this.t = steps;
    for (const [key, t] of Object.entries(tensors)) {
      if (key.startsWith('m/')) this.m[key.slice(2)] = tf.keep(tf.clone(t));
      else if (key.startsWith('v/')) this.v[key.slice(2)] = tf.keep(tf.clone(t));
    }
  }

  dispose(): void {
    for (const t of [...Object.values(this.m), ...Object.values(this.v)]) t.dispose();
    this.m = {};
    this.v = {};
  }
}
