import * as tf from '@tensorflow/tfjs';
import { UsageError } from '../io/errors';
import { dartsSegments, planRecompute, RecomputeMode, RecomputePlan } from '../nets/layers-recompute';
import { trainingGradients } from '../nets/layers-recompute-step';
import { buildNetwork, DartsNetwork, disposeNetwork, NetworkConfig } from '../nets/network';
import type { DartsGenotype } from '../space/genotype-types';
import { disposeAll, loadCheckpoint, saveCheckpoint } from './checkpoint';
import { correctCount, crossEntropy } from './metrics';
import { clipByGlobalNorm, Grads, Params, SgdMomentum } from './optim';
import { assertFinite } from './runner';

/** Optimisation settings of retraining (defaults: DARTS train.py / the paper's CIFAR-10 evaluation). */
export interface StepOptions {
  momentum: number;
  weightDecay: number;
  /** Global gradient-norm clip (≤ 0: no clipping). */
  gradClip: number;
  /** Weight of the auxiliary loss (DARTS: 0.4). */
  auxWeight: number;
  /**
   * Gradient checkpointing (nets/layers-recompute.ts): 'cells' (default) keeps only each cell's
   * output through the forward and recomputes cells, and edges inside them, in the backward (same
   * loss and gradients, a fraction of the memory, about two extra forwards of compute);
   * 'whole-cells' recomputes whole cells (more memory, one extra forward); 'none' keeps everything.
   */
  recompute?: RecomputeMode;
}

export interface StepResult {
  loss: number;
  correct: number;
  n: number;
}

/** Checkpoint state besides the tensors. */
export interface TrainerState {
  /** The epoch the checkpoint was taken after. */
  epoch: number;
  fingerprint: Record<string, unknown>;
}

/**
 * The retraining network plus its optimiser: one SGD step, checkpoint save/restore. Weights are
 * addressed by their layer-scoped names (`cell3_n0_e1_dw1/depthwise_kernel`), which are the same
 * in every build of the same genotype and configuration.
 */
export class Trainer {
  readonly net: DartsNetwork;
  readonly params: Params = {};
  private readonly all: Record<string, tf.LayerVariable> = {};
  private readonly byVarName: Record<string, string> = {};
  private readonly optimizer: SgdMomentum;
  private readonly plan: RecomputePlan | null;

  constructor(genotype: DartsGenotype, cfg: NetworkConfig, private readonly opts: StepOptions) {
    this.net = buildNetwork(genotype, cfg);
    for (const w of this.net.model.weights) {
      if (this.all[w.originalName]) throw new Error(`duplicate weight name ${w.originalName}`);
      this.all[w.originalName] = w;
      if (w.trainable) {
        this.params[w.originalName] = w.read() as tf.Variable;
        this.byVarName[(w.read() as tf.Variable).name] = w.originalName;
      }
    }
    const recompute = opts.recompute ?? 'cells';
    this.plan = recompute === 'none' ? null : planRecompute(this.net.model, dartsSegments(recompute));
    this.optimizer = new SgdMomentum(this.params, { momentum: opts.momentum, weightDecay: opts.weightDecay });
  }

  /** Forward with drop-path and batch statistics, backward, clip, SGD step. Returns host numbers. */
  async step(x: tf.Tensor, y: tf.Tensor, lr: number, epoch: number, stepIndex: number): Promise<StepResult> {
    const numClasses = this.net.config.numClasses;
    let correct: tf.Scalar | null = null;
    const { value, grads } = trainingGradients(this.net.model, this.plan, x, ([logits, aux]) => {
      correct = tf.keep(correctCount(logits, y));
      const loss = crossEntropy(logits, y, numClasses);
      if (!aux || this.opts.auxWeight === 0) return loss;
      return tf.add(loss, tf.mul(crossEntropy(aux, y, numClasses), this.opts.auxWeight)) as tf.Scalar;
    });
    const named: Grads = {};
    for (const [varName, g] of Object.entries(grads)) named[this.byVarName[varName]] = g;
    try {
      // Asynchronous reads: webgpu cannot read synchronously in Node, and a GPU queues work meanwhile.
      const loss = (await value.data())[0];
      // Checked before the update, so a blow-up never reaches the weights.
      assertFinite('train_loss', loss, epoch, stepIndex);
      if (this.opts.gradClip > 0) {
        const { grads: clipped, norm } = clipByGlobalNorm(named, this.opts.gradClip);
        this.optimizer.step(clipped, lr);
        disposeAll(clipped);
        norm.dispose();
      } else this.optimizer.step(named, lr);
      return { loss, correct: (await (correct as unknown as tf.Scalar).data())[0], n: x.shape[0] as number };
    } finally {
      value.dispose();
      disposeAll(named);
      (correct as tf.Scalar | null)?.dispose();
    }
  }

  /** All weights (trainable and BatchNorm running statistics) and the momentum buffers. */
  private tensors(): Record<string, tf.Tensor> {
    const out: Record<string, tf.Tensor> = {};
    for (const [name, w] of Object.entries(this.all)) out[`weight/${name}`] = w.read();
    return { ...out, ...this.optimizer.state() };
  }

  async save(dir: string, state: TrainerState): Promise<void> {
    await saveCheckpoint(dir, this.tensors(), state);
  }

  /** Restores a checkpoint taken with the same fingerprint; returns its state, or null if there is none. */
  restore(dir: string, fingerprint: Record<string, unknown>): TrainerState | null {
    const ckpt = loadCheckpoint<TrainerState>(dir);
    if (!ckpt) return null;
    try {
      for (const [k, v] of Object.entries(fingerprint)) {
        if (JSON.stringify(ckpt.state.fingerprint?.[k]) !== JSON.stringify(v)) {
          throw new UsageError(`--resume: the checkpoint in ${dir} was made with ${k} = ${JSON.stringify(ckpt.state.fingerprint?.[k])}, this run has ${JSON.stringify(v)}`);
        }
      }
      for (const [name, w] of Object.entries(this.all)) {
        const t = ckpt.tensors[`weight/${name}`];
        if (!t) throw new UsageError(`--resume: the checkpoint in ${dir} has no weight ${name}`);
        w.write(t);
      }
      this.optimizer.loadState(ckpt.tensors);
      return ckpt.state;
    } finally {
      // Variable.assign shares the data (reference-counted), so the loaded tensors can all go.
      disposeAll(ckpt.tensors);
    }
  }

  dispose(): void {
    this.optimizer.dispose();
    disposeNetwork(this.net);
  }
}
