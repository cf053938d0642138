import * as tf from '@tensorflow/tfjs';
import { buildNetwork, DartsNetwork, disposeNetwork, NetworkConfig } from '../nets/network';
import type { Recompute } from '../ops/context';
import type { DropPathState } from '../ops/drop-path';
import type { DartsGenotype } from '../space/genotype-types';
import { disposeAll, saveCheckpoint } from './checkpoint';
import { loadNetworkState, networkStateTensors, restoreCheckpoint } from './net-state';
import { clipByGlobalNorm, Params, SgdMomentum } from './optim';
import { applyBatch, batchGradients, type StepResult } from './retrain-step';

export type { StepResult } from './retrain-step';

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
    return applyBatch(this.net, r, x.shape[0] as number, (grads) => {
      if (this.opts.gradClip <= 0) return this.optimizer.step(grads, lr);
      const { grads: clipped, norm } = clipByGlobalNorm(grads, this.opts.gradClip);
      this.optimizer.step(clipped, lr);
      disposeAll(clipped);
      norm.dispose();
    }, epoch, stepIndex);
  }

  /** All weights (trainable and BatchNorm running statistics) and the momentum buffers: what a checkpoint holds. */
  stateTensors(): Record<string, tf.Tensor> {
    return { ...networkStateTensors(this.net), ...this.optimizer.state() };
  }

  async save(dir: string, state: TrainerState): Promise<void> {
    await saveCheckpoint(dir, this.stateTensors(), state);
  }

  /** Restores a checkpoint taken with the same fingerprint; returns its state, or null if there is none. */
  restore(dir: string, fingerprint: Record<string, unknown>): TrainerState | null {
    return restoreCheckpoint<TrainerState>(dir, fingerprint, (tensors, _state, source) => this.loadState(tensors, source));
  }

  /** Takes weights, statistics and momentum from `stateTensors()`-named tensors (the caller disposes them). */
  loadState(tensors: Record<string, tf.Tensor>, source = 'the state'): void {
    loadNetworkState(this.net, tensors, source);
    this.optimizer.loadState(tensors);
  }

  dispose(): void {
    this.optimizer.dispose();
    disposeNetwork(this.net);
  }
}
