import * as tf from '@tensorflow/tfjs';
import type { BnUpdate } from '../../ops/context';

/**
 * Data parallelism (see pool.ts): sums named tensors over the replicas, the same bits on every
 * replica (`Exchange` implements it). A training loop routes its gradients through one of these;
 * without one it computes exactly as in one process.
 */
export interface GradientSync {
  sum(named: Record<string, tf.Tensor>): Record<string, tf.Tensor>;
}

/**
 * The replicas' BatchNorm batch statistics averaged, weighted by shard size (an equal split: the
 * plain average), so that every replica folds the same numbers into its running statistics. A
 * stand-in shard (share 0, see `loss`) has count 0 and no weight.
 */
export function syncBn(sync: GradientSync, bn: BnUpdate[]): BnUpdate[] {
  if (bn.length === 0) return bn;
  const named: Record<string, tf.Tensor> = {};
  bn.forEach((u, i) => {
    named[`${i}/mean`] = tf.mul(u.mean, u.count);
    named[`${i}/var`] = tf.mul(u.variance, u.count);
    named[`${i}/count`] = tf.tensor1d([u.count, u.count > 0 ? 1 : 0]);
  });
  const summed = sync.sum(named);
  tf.dispose([...Object.values(named), ...bn.flatMap((u) => [u.mean, u.variance])]);
  return bn.map((u, i) => {
    const [count, replicas] = summed[`${i}/count`].dataSync();
    summed[`${i}/count`].dispose();
    const mean = tf.tidy(() => tf.div(summed[`${i}/mean`], count)) as tf.Tensor1D;
    const variance = tf.tidy(() => tf.div(summed[`${i}/var`], count)) as tf.Tensor1D;
    tf.dispose([summed[`${i}/mean`], summed[`${i}/var`]]);
    // PyTorch's unbiased factor uses the count of the batch each replica normalised with.
    return { name: u.name, mean, variance, count: count / replicas };
  });
}
