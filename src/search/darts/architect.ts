import * as tf from '@tensorflow/tfjs';
import { BnUpdate, OpContext, Recompute, Weights, applyBnUpdates } from '../../ops/context';
import type { Supernet } from '../../nets/supernet';
import { Adam, Grads, SgdMomentum, clipByGlobalNorm } from '../../train/optim';
import { correctCount, crossEntropy } from '../../train/metrics';
import { GradientSync, syncBn } from '../../train/parallel/sync';

export type { GradientSync };

/**
 * DARTS's bilevel optimisation (Liu et al., ICLR 2019, Alg. 1; quark0/darts architect.py and
 * train_search.py): for every step, first an architecture step on a batch of the architecture
 * part (Adam on α), then a weight step on a batch of the weights part (SGD with momentum, weight
 * decay and gradient-norm clipping). `order 1` uses ∇α L_val(w, α); `order 2` the unrolled
 * hypergradient with a finite-difference Hessian-vector product (no tfjs second derivatives).
 */
export interface DartsHyper {
  order: 1 | 2;
  momentum: number;
  weightDecay: number;
  gradClip: number;
  archLr: number;
  archBeta1: number;
  archBeta2: number;
  archWeightDecay: number;
  /** r of the finite-difference Hessian-vector product, ε = r/‖∇w′ L_val‖ (default 0.01, as architect.py). */
  hvpR?: number;
  /** Gradient checkpointing of the supernet (default 'cells', the least memory; see nets/supernet-edge.ts). */
  recompute?: Recompute;
}

export interface XY {
  x: tf.Tensor4D;
  y: tf.Tensor1D;
  /** Data parallelism: this shard's share of the whole batch (n_i / n); the loss is scaled by it. */
  share?: number;
}


/** Per-step figures as tensors (read them in one go; the caller disposes them). */
export interface StepResult {
  loss: tf.Scalar;
  correct: tf.Scalar;
}

/**
 * A term of the architecture objective: maps the validation cross-entropy and α to the loss whose
 * α-gradient the architect follows (a regulariser adds λ·R(α); a latency objective may scale the
 * loss). The architect applies its `objectives` in order, to every validation loss it
 * differentiates (both orders). The search loop sets them per epoch, so schedules (λ(e)) are plain
 * numbers captured when it does.
 */
export type ArchObjective = (loss: tf.Scalar, alphas: Weights) => tf.Scalar;

/** r = 0.01 in architect.py `_hessian_vector_product`: ε = r / ‖∇w′ L_val‖. */
const HVP_R = 0.01;

/** Loss (mean cross-entropy) and gradients of `f` with respect to the named tensors. */
export function lossAndGrads(f: () => tf.Scalar, xs: Weights): { value: tf.Scalar; grads: Grads } {
  const names = Object.keys(xs);
  const { value, grads } = tf.valueAndGrads(() => f())(names.map((n) => xs[n]));
  const out: Grads = {};
  names.forEach((n, i) => (out[n] = grads[i]));
  return { value, grads: out };
}

export class DartsArchitect {
  readonly sgd: SgdMomentum;
  readonly adam: Adam;
  /** Terms of the architecture objective for the current epoch (none: plain DARTS). */
  objectives: ArchObjective[] = [];
  /** The replicas' gradient exchange (set on each replica of a data-parallel run). */
  sync: GradientSync | null = null;

  constructor(readonly net: Supernet, readonly hyper: DartsHyper) {
    this.sgd = new SgdMomentum(net.weights, { momentum: hyper.momentum, weightDecay: hyper.weightDecay });
    this.adam = new Adam(net.alphas, { beta1: hyper.archBeta1, beta2: hyper.archBeta2, weightDecay: hyper.archWeightDecay });
  }

  /** Training-mode loss at weights `w` and α `a`; batch statistics go to `bn` when given. */
  loss(b: XY, w: Weights, a: Weights, bn: BnUpdate[] | null, logits?: (t: tf.Tensor2D) => void, paramGrads = true): tf.Scalar {
    const ctx: OpContext = { training: true, w, buffers: this.net.buffers, bnUpdates: bn, recompute: this.hyper.recompute ?? 'cells', paramGrads };
    const before = bn?.length ?? 0;
    const out = this.net.forward(b.x, ctx, a);
    // A stand-in shard (a replica with no samples of a small batch) must not weigh in BatchNorm's average.
    if (b.share === 0 && bn) for (let i = before; i < bn.length; i++) bn[i].count = 0;
    if (logits) logits(out);
    const ce = crossEntropy(out, b.y, this.net.numClasses);
    return b.share === undefined ? ce : tf.mul(ce, b.share);
  }

  /** The architecture objective on a validation batch: the loss, then each objective term in order. */
  archLoss(b: XY, w: Weights, a: Weights, bn: BnUpdate[] | null, paramGrads = true): tf.Scalar {
    // Data-parallel: a shard's loss is not the batch's; archGrads applies the terms to the sum.
    if (this.sync) return this.loss(b, w, a, bn, undefined, paramGrads);
    return this.objectives.reduce((loss, term) => term(loss, a), this.loss(b, w, a, bn, undefined, paramGrads));
  }

  /** One architecture step then one weight step (train_search.py `train`); lr = current weight lr (ξ). */
  step(train: XY, arch: XY, lr: number): StepResult {
    const bn: BnUpdate[] = [];
    try {
      const dAlpha = this.hyper.order === 2 ? this.unrolledArchGrads(train, arch, lr, bn) : this.firstOrderArchGrads(arch, bn);
      this.adam.step(dAlpha, this.hyper.archLr);
      tf.dispose(dAlpha);
      return this.weightStep(train, lr, bn);
    } finally {
      applyBnUpdates(this.net.buffers, this.sync ? syncBn(this.sync, bn) : bn);
    }
  }

  /** ∇α L_val(w, α) (architect.py `_backward_step`). */
  firstOrderArchGrads(arch: XY, bn: BnUpdate[] | null): Grads {
    return tf.tidy(() => {
      const a = this.net.alphas;
      return this.archGrads(lossAndGrads(() => this.archLoss(arch, this.net.weights, a, bn, false), a), a, (n) => n);
    });
  }

  /**
   * The second-order hypergradient (paper eq. 7-8):
   *   w' = w − ξ(μ·v + ∇w L_train(w, α) + wd·w)
   *   dα = ∇α L_val(w', α) − ξ·(∇α L_train(w⁺, α) − ∇α L_train(w⁻, α)) / (2ε),
   *   w± = w ± ε·∇w′ L_val(w', α),  ε = 0.01 / ‖∇w′ L_val(w', α)‖.
   * BatchNorm running statistics are updated by the forward passes at w, w⁺ and w⁻ (the reference
   * runs those on the model itself) but not by the one at the virtual weights w'.
   */
  unrolledArchGrads(train: XY, arch: XY, xi: number, bn: BnUpdate[] | null): Grads {
    return tf.tidy(() => {
      const w = this.net.weights as Weights;
      const a = this.net.alphas as Weights;
      const gTrain = this.summed(lossAndGrads(() => this.loss(train, w, a, bn), w).grads);
      const wPrime = this.sgd.virtualStep(gTrain, xi);
      const names = Object.keys(w);
      const joint: Weights = {};
      for (const n of Object.keys(a)) joint[`a/${n}`] = a[n];
      for (const n of names) joint[`w/${n}`] = wPrime[n];
      const gVal = this.archGrads(lossAndGrads(() => this.archLoss(arch, wPrime, a, null), joint), a, (n) => `a/${n}`);
      const v: Weights = {};
      for (const n of names) v[n] = gVal[`w/${n}`];
      const norm = tf.sqrt(tf.addN(names.map((n) => tf.sum(tf.square(v[n])))));
      const eps = tf.div(this.hyper.hvpR ?? HVP_R, norm);
      const shifted = (sign: number): Weights => {
        const out: Weights = {};
        for (const n of names) out[n] = tf.add(w[n], tf.mul(v[n], tf.mul(eps, sign)));
        return out;
      };
      // w± are made outside the differentiated functions: with paramGrads false the checkpointed
      // blocks do not keep them, and tfjs frees a function's own intermediates after its forward.
      const [wPlus, wMinus] = [shifted(1), shifted(-1)];
      const gPlus = this.summed(lossAndGrads(() => this.loss(train, wPlus, a, bn, undefined, false), a).grads);
      const gMinus = this.summed(lossAndGrads(() => this.loss(train, wMinus, a, bn, undefined, false), a).grads);
      const scale = tf.div(xi, tf.mul(eps, 2));
      const out: Grads = {};
      for (const n of Object.keys(a)) out[n] = tf.sub(gVal[`a/${n}`], tf.mul(tf.sub(gPlus[n], gMinus[n]), scale));
      return out;
    });
  }

  /** SGD step on the weights with gradient-norm clipping (train_search.py, grad_clip 5). */
  weightStep(train: XY, lr: number, bn: BnUpdate[] | null): StepResult {
    return tf.tidy(() => {
      let logits: tf.Tensor2D | null = null;
      const { value, grads } = lossAndGrads(
        () => this.loss(train, this.net.weights, this.net.alphas, bn, (t) => (logits = tf.keep(t))),
        this.net.weights,
      );
      const clipped = clipByGlobalNorm(this.summed(grads), this.hyper.gradClip);
      this.sgd.step(clipped.grads, lr);
      const kept = logits as unknown as tf.Tensor2D;
      const correct = correctCount(kept, train.y);
      kept.dispose();
      return { loss: value, correct };
    });
  }

  /** The gradients summed over the replicas (as they are without data parallelism). */
  summed(grads: Grads): Grads {
    return this.sync ? this.sync.sum(grads) : grads;
  }

  /**
   * The architecture objective's gradient from the validation loss's value and gradient. Without
   * data parallelism `archLoss` already holds the objective terms. With it, the shards' losses and
   * gradients are summed first, then the terms are applied once, to the batch's loss, by the chain
   * rule: ∇f(L, α) = ∂f/∂L·∇L + ∂f/∂α (`key` names α's entries in `g`).
   */
  private archGrads(r: { value: tf.Scalar; grads: Grads }, a: Weights, key: (n: string) => string): Grads {
    if (!this.sync) return r.grads;
    const summed = this.sync.sum({ ...r.grads, '\u0000loss': r.value });
    const total = summed['\u0000loss'] as tf.Scalar;
    delete summed['\u0000loss'];
    if (this.objectives.length === 0) return summed;
    const names = Object.keys(a);
    const { grads: d } = lossAndGrads(() => this.objectives.reduce((l, t) => t(l, a), total), { '\u0000loss': total, ...a });
    const out: Grads = {};
    for (const [k, g] of Object.entries(summed)) out[k] = tf.mul(g, d['\u0000loss']);
    for (const n of names) out[key(n)] = tf.add(out[key(n)], d[n]);
    return out;
  }

  /** Eval-mode loss and correct count on one batch (running BN statistics, as `model.eval()`). */
  evaluate(b: XY): StepResult {
    return tf.tidy(() => {
      const ctx: OpContext = { training: false, w: this.net.weights, buffers: this.net.buffers, bnUpdates: null };
      const logits = this.net.forward(b.x, ctx, this.net.alphas);
      return { loss: crossEntropy(logits, b.y, this.net.numClasses), correct: correctCount(logits, b.y) };
    });
  }

  /** Optimiser state for checkpoints. */
  state(): { tensors: Record<string, tf.Tensor>; adamSteps: number } {
    const tensors: Record<string, tf.Tensor> = {};
    for (const [k, t] of Object.entries(this.sgd.state())) tensors[`sgd/${k}`] = t;
    for (const [k, t] of Object.entries(this.adam.state())) tensors[`adam/${k}`] = t;
    return { tensors, adamSteps: this.adam.steps };
  }

  loadState(tensors: Record<string, tf.Tensor>, adamSteps: number): void {
    const pick = (prefix: string) => {
      const out: Record<string, tf.Tensor> = {};
      for (const [k, t] of Object.entries(tensors)) if (k.startsWith(prefix)) out[k.slice(prefix.length)] = t;
      return out;
    };
    this.sgd.loadState(pick('sgd/'));
    this.adam.loadState(pick('adam/'), adamSteps);
  }

  dispose(): void {
    this.sgd.dispose();
    this.adam.dispose();
  }
}
