import * as tf from '@tensorflow/tfjs';
import { applyBnUpdates, type BnUpdate, type OpContext, type Recompute } from '../ops/context';
import type { DropPathState } from '../ops/drop-path';
import type { NetworkOutputs } from '../nets/network';
import { correctCount, crossEntropy } from './metrics';
import type { Grads } from './optim';
import { assertFinite } from './runner';

/**
 * The retraining network's training entry point: loss and gradients of its named weights for one
 * batch (DARTS train.py: cross-entropy + auxWeight·auxiliary cross-entropy, drop-path, batch
 * statistics). Pure with respect to the network: the weights and running statistics are not
 * changed; the caller clips, steps the optimiser and folds `bnUpdates` in (applyBnUpdates), so a
 * data-parallel wrapper can call it per shard and combine the results.
 */
/** What a network trained on the functional ops offers (the DARTS network, the macro network). */
export interface TrainableNetwork {
  readonly weights: Record<string, tf.Variable>;
  readonly buffers: Record<string, tf.Variable>;
  readonly config: { numClasses: number };
  forward(x: tf.Tensor4D, ctx: OpContext): NetworkOutputs;
}

export interface BatchOptions {
  auxWeight: number;
  recompute: Recompute;
  dropPath: DropPathState | null;
}

export interface BatchGradients {
  /** Mean loss over the batch (with the auxiliary term). */
  loss: tf.Scalar;
  /** Correct top-1 predictions of the main head. */
  correct: tf.Scalar;
  /** Gradient per weight name (every trainable weight of the network). */
  grads: Grads;
  /** Each BatchNorm's batch statistics, to fold into the running statistics (applyBnUpdates). */
  bnUpdates: BnUpdate[];
}

export function batchGradients(net: TrainableNetwork, x: tf.Tensor4D, y: tf.Tensor, o: BatchOptions): BatchGradients {
  const bnUpdates: BnUpdate[] = [];
  const ctx: OpContext = { training: true, w: net.weights, buffers: net.buffers, bnUpdates, recompute: o.recompute, dropPath: o.dropPath };
  const numClasses = net.config.numClasses;
  const names = Object.keys(net.weights);
  let correct: tf.Scalar | null = null;
  try {
    const xs = names.map((n) => net.weights[n]);
    // engine().gradients rather than tf.valueAndGrads: a weight without a path to the loss (the
    // auxiliary head at --aux-weight 0) gets a zero gradient instead of an error.
    const { value, grads } = tf.engine().gradients(() => {
      const { logits, aux } = net.forward(x, ctx);
      correct = tf.keep(correctCount(logits, y));
      const loss = crossEntropy(logits, y, numClasses);
      if (!aux || o.auxWeight === 0) return loss;
      return tf.add(loss, tf.mul(crossEntropy(aux, y, numClasses), o.auxWeight)) as tf.Scalar;
    }, xs, undefined, true);
    const named: Grads = {};
    names.forEach((n, i) => (named[n] = grads[i] ?? tf.zerosLike(xs[i])));
    return { loss: value as tf.Scalar, correct: correct as unknown as tf.Scalar, grads: named, bnUpdates };
  } catch (e) {
    (correct as tf.Scalar | null)?.dispose();
    tf.dispose(bnUpdates.flatMap((u) => [u.mean, u.variance]));
    throw e;
  }
}

export interface StepResult {
  loss: number;
  correct: number;
  n: number;
}

/**
 * The rest of one training step after batchGradients: reads the loss (asynchronously: webgpu
 * cannot read synchronously in Node), refuses a non-finite one before anything changes, folds the
 * batch statistics into the running ones, lets `update` step the optimiser with the gradients,
 * and frees everything. Returns host numbers.
 */
export async function applyBatch(net: TrainableNetwork, r: BatchGradients, n: number, update: (grads: Grads) => void, epoch: number, step: number): Promise<StepResult> {
  try {
    const loss = (await r.loss.data())[0];
    assertFinite('train_loss', loss, epoch, step);
    applyBnUpdates(net.buffers, r.bnUpdates);
    update(r.grads);
    return { loss, correct: (await r.correct.data())[0], n };
  } finally {
    tf.dispose([r.loss, r.correct, ...r.bnUpdates.flatMap((u) => [u.mean, u.variance])]);
    tf.dispose(Object.values(r.grads));
  }
}
