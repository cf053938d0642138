import * as tf from '@tensorflow/tfjs';
import type { BnUpdate, OpContext, Recompute } from '../ops/context';
import type { DropPathState } from '../ops/drop-path';
import type { DartsNetwork } from '../nets/network';
import { correctCount, crossEntropy } from './metrics';
import type { Grads } from './optim';

/**
 * The retraining network's training entry point: loss and gradients of its named weights for one
 * batch (DARTS train.py: cross-entropy + auxWeight·auxiliary cross-entropy, drop-path, batch
 * statistics). Pure with respect to the network: the weights and running statistics are not
 * changed; the caller clips, steps the optimiser and folds `bnUpdates` in (applyBnUpdates), so a
 * data-parallel wrapper can call it per shard and combine the results.
 */
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

export function batchGradients(net: DartsNetwork, x: tf.Tensor4D, y: tf.Tensor, o: BatchOptions): BatchGradients {
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
