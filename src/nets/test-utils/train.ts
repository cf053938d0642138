import * as tf from '@tensorflow/tfjs';
import { applyBnUpdates } from '../../ops/context';
import { batchGradients } from '../../train/retrain-step';
import type { TrainableNetwork } from '../../train/retrain-step';

/**
 * A few plain SGD steps with drop-path and the auxiliary loss: trained weights and BatchNorm
 * running statistics away from their initial values (1 and 0), for export and resume tests.
 */
export function trainBriefly(net: TrainableNetwork, x: tf.Tensor4D, steps = 3, lr = 0.05): void {
  const y = tf.tensor1d(Array.from({ length: x.shape[0] }, (_, i) => i % net.config.numClasses), 'int32');
  for (let step = 0; step < steps; step++) {
    const r = batchGradients(net, x, y, { auxWeight: 0.4, recompute: 'none', dropPath: { rate: 0.2, seed: 7, epoch: 0, step } });
    applyBnUpdates(net.buffers, r.bnUpdates);
    tf.tidy(() => {
      for (const [name, g] of Object.entries(r.grads)) net.weights[name].assign(tf.sub(net.weights[name], tf.mul(g, lr)));
    });
    tf.dispose([r.loss, r.correct, ...Object.values(r.grads)]);
  }
  y.dispose();
}
