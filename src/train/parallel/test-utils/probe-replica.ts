import * as tf from '@tensorflow/tfjs';
import type { Exchange } from '../shared';
import type { Replica } from '../types';

/**
 * A test replica: a small conv net without batch statistics (conv 3×3 → ReLU → global mean →
 * linear), seeded, so its summed shard gradients can be checked against the full batch's. Commands
 * `grads` (sum the shards' share-weighted gradients and keep them), `sgd` (the same plus a plain
 * SGD step), `throw` and `exit` (the given rank fails while the others wait in the exchange).
 */
export function probeWeights(): Record<string, tf.Tensor> {
  return {
    conv: tf.randomNormal([3, 3, 3, 4], 0, 0.5, 'float32', 1),
    dense: tf.randomNormal([4, 3], 0, 0.5, 'float32', 2),
    bias: tf.randomNormal([3], 0, 0.1, 'float32', 3),
  };
}

export function probeLoss(w: Record<string, tf.Tensor>, x: tf.Tensor4D, y: tf.Tensor1D): tf.Scalar {
  const h = tf.relu(tf.conv2d(x, w.conv as tf.Tensor4D, 1, 'same'));
  const logits = tf.add(tf.matMul(tf.mean(h, [1, 2]) as tf.Tensor2D, w.dense as tf.Tensor2D), w.bias);
  return tf.losses.softmaxCrossEntropy(tf.oneHot(y, 3), logits as tf.Tensor2D) as tf.Scalar;
}

export function probeGrads(w: Record<string, tf.Tensor>, x: tf.Tensor4D, y: tf.Tensor1D, share: number): Record<string, tf.Tensor> {
  const names = Object.keys(w);
  const { grads } = tf.valueAndGrads(() => tf.mul(probeLoss(w, x, y), share) as tf.Scalar)(names.map((n) => w[n]));
  return Object.fromEntries(names.map((n, i) => [n, grads[i]]));
}

export function createReplica(_config: unknown, exchange: Exchange): Replica {
  const w = Object.fromEntries(Object.entries(probeWeights()).map(([k, t]) => [k, tf.variable(t)]));
  let last: Record<string, tf.Tensor> = {};
  return {
    call(cmd, args, inputs) {
      const a = args as { share: number; failRank?: number };
      if (a.failRank === exchange.rank) {
        if (cmd === 'exit') process.exit(3);
        throw new Error('probe replica failed on purpose');
      }
      const sum = tf.tidy(() => exchange.sum(probeGrads(w, inputs.x as tf.Tensor4D, inputs.y as tf.Tensor1D, a.share)));
      tf.dispose(Object.values(last));
      last = sum;
      if (cmd === 'sgd') for (const [k, v] of Object.entries(w)) v.assign(tf.tidy(() => tf.sub(v, tf.mul(sum[k], 0.5))));
      return { numTensors: tf.memory().numTensors };
    },
    getState() {
      const named: Record<string, tf.Tensor> = {};
      for (const [k, t] of Object.entries(w)) named[`w/${k}`] = t;
      for (const [k, t] of Object.entries(last)) named[`g/${k}`] = t;
      return { tensors: named, meta: exchange.rank };
    },
    setState() {
      throw new Error('probe replica has no settable state');
    },
  };
}
