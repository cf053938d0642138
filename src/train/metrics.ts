import * as tf from '@tensorflow/tfjs';

/** Running average weighted by batch size (DARTS utils.AvgrageMeter). */
export class AverageMeter {
  sum = 0;
  count = 0;

  update(value: number, n = 1): void {
    this.sum += value * n;
    this.count += n;
  }

  get avg(): number {
    return this.count > 0 ? this.sum / this.count : 0;
  }
}

/** Number of correct top-1 predictions (a scalar tensor, so the caller can batch its reads). */
export function correctCount(logits: tf.Tensor, labels: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.sum(tf.cast(tf.equal(tf.argMax(logits, -1), tf.cast(labels, 'int32')), 'float32')) as tf.Scalar);
}

/** Mean softmax cross-entropy over integer labels. */
export function crossEntropy(logits: tf.Tensor, labels: tf.Tensor, numClasses: number): tf.Scalar {
  return tf.tidy(() => {
    const onehot = tf.oneHot(tf.cast(labels, 'int32') as tf.Tensor1D, numClasses);
    return tf.losses.softmaxCrossEntropy(onehot, logits) as tf.Scalar;
  });
}
