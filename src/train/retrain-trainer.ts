import * as tf from '@tensorflow/tfjs';
import { UsageError } from '../io/errors';
import { buildNetwork, DartsNetwork, disposeNetwork, NetworkConfig } from '../nets/network';
import { applyBnUpdates, type Recompute } from '../ops/context';
import type { DropPathState } from '../ops/drop-path';
import type { DartsGenotype } from '../space/genotype-types';
import { disposeAll, loadCheckpoint, saveCheckpoint } from './checkpoint';
import { clipByGlobalNorm, Params, SgdMomentum } from './optim';
import { batchGradients } from './retrain-step';
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
   * Gradient checkpointing as run (`--recompute auto` resolved, nets/recompute.ts): 'cells'
   * recomputes each cell in the backward (one extra forward, the least memory), 'edges' each edge,
   * 'none' keeps every activation. Same loss and gradients in every mode.
   */
  recompute?: Recompute;
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
 * addressed by their parameter names (`cell3_n0_e1.dw1`), the same in every build of the same
 * genotype and configuration.
 */
export class Trainer {
  readonly net: DartsNetwork;
  readonly params: Params;
  readonly optimizer: SgdMomentum;
  /** Drop-path of the next steps: rate and seed set per epoch by the caller, epoch and step by `step`. */
  dropPath: DropPathState = { rate: 0, seed: 0, epoch: 0, step: 0 };

  constructor(genotype: DartsGenotype, cfg: NetworkConfig, private readonly opts: StepOptions) {
    this.net = buildNetwork(genotype, cfg);
    this.params = this.net.weights;
    this.optimizer = new SgdMomentum(this.params, { momentum: opts.momentum, weightDecay: opts.weightDecay });
  }

  /** Forward with drop-path and batch statistics, backward, clip, SGD step. Returns host numbers. */
  async step(x: tf.Tensor, y: tf.Tensor, lr: number, epoch: number, stepIndex: number): Promise<StepResult> {
    const dropPath = { ...this.dropPath, epoch, step: stepIndex };
    const r = batchGradients(this.net, x as tf.Tensor4D, y, { auxWeight: this.opts.auxWeight, recompute: this.opts.recompute ?? 'cells', dropPath });
    try {
      // Asynchronous reads: webgpu cannot read synchronously in Node, and a GPU queues work meanwhile.
      const loss = (await r.loss.data())[0];
      // Checked before the update, so a blow-up never reaches the weights or the statistics.
      assertFinite('train_loss', loss, epoch, stepIndex);
      applyBnUpdates(this.net.buffers, r.bnUpdates);
      if (this.opts.gradClip > 0) {
        const { grads: clipped, norm } = clipByGlobalNorm(r.grads, this.opts.gradClip);
        this.optimizer.step(clipped, lr);
        disposeAll(clipped);
        norm.dispose();
      } else this.optimizer.step(r.grads, lr);
      return { loss, correct: (await r.correct.data())[0], n: x.shape[0] as number };
    } finally {
      tf.dispose([r.loss, r.correct, ...r.bnUpdates.flatMap((u) => [u.mean, u.variance])]);
      disposeAll(r.grads);
    }
  }

  /** All weights (trainable and BatchNorm running statistics) and the momentum buffers: what a checkpoint holds. */
  stateTensors(): Record<string, tf.Tensor> {
    const out: Record<string, tf.Tensor> = {};
    for (const [name, w] of Object.entries(this.net.weights)) out[`weight/${name}`] = w;
    for (const [name, b] of Object.entries(this.net.buffers)) out[`buffer/${name}`] = b;
    return { ...out, ...this.optimizer.state() };
  }

  async save(dir: string, state: TrainerState): Promise<void> {
    await saveCheckpoint(dir, this.stateTensors(), state);
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
      this.loadState(ckpt.tensors, `the checkpoint in ${dir}`);
      return ckpt.state;
    } finally {
      // Variable.assign shares the data (reference-counted), so the loaded tensors can all go.
      disposeAll(ckpt.tensors);
    }
  }

  /** Takes weights, statistics and momentum from `stateTensors()`-named tensors (the caller disposes them). */
  loadState(tensors: Record<string, tf.Tensor>, source = 'the state'): void {
    const all: [string, tf.Variable][] = [
      ...Object.entries(this.net.weights).map(([n, v]): [string, tf.Variable] => [`weight/${n}`, v]),
      ...Object.entries(this.net.buffers).map(([n, v]): [string, tf.Variable] => [`buffer/${n}`, v]),
    ];
    for (const [key, v] of all) {
      const t = tensors[key];
      if (!t) throw new UsageError(`--resume: ${source} has no tensor ${key} (made by another version of tfnas?)`);
      if (!tf.util.arraysEqual(t.shape, v.shape)) throw new UsageError(`--resume: ${key} in ${source} has shape [${t.shape}], the network has [${v.shape}]`);
    }
    for (const [key, v] of all) v.assign(tensors[key]);
    this.optimizer.loadState(tensors);
  }

  dispose(): void {
    this.optimizer.dispose();
    disposeNetwork(this.net);
  }
}
