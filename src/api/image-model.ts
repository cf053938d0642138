/**
 * The classifier's inference model: raw pixels (0–255, NHWC) in, class probabilities out. The
 * training data's per-channel normalisation ((x/255 − mean) / std) is a fixed 1×1 depthwise
 * convolution (a per-channel scale and bias), so that the exported model.json needs no
 * preprocessing code in the browser and uses only standard layers.
 */
import * as tf from '@tensorflow/tfjs';
import { TfnasError } from '../io/errors';
import type { Images } from './data';

export function inferenceModel(trained: tf.LayersModel, mean: number[], std: number[]): tf.LayersModel {
  const shape = trained.inputs[0].shape.slice(1) as number[];
  const input = tf.input({ shape, name: 'pixels' });
  const c = shape[2];
  const weights = [tf.tensor4d(std.map((s) => 1 / (255 * s)), [1, 1, c, 1]), tf.tensor1d(mean.map((m, i) => -m / std[i]))];
  const normalise = tf.layers.depthwiseConv2d({
    kernelSize: 1,
    depthMultiplier: 1,
    useBias: true,
    trainable: false,
    name: 'normalise',
    weights,
  });
  const logits = trained.apply(normalise.apply(input)) as tf.SymbolicTensor;
  tf.dispose(weights); // the layer holds copies
  const probs = tf.layers.activation({ activation: 'softmax', name: 'probabilities' }).apply(logits) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: probs, name: 'image_classifier' });
}

/** Images as a float tensor of 0–255 pixels (0–1 floats are scaled up, as `fit` does). */
export function pixelsTensor(x: Images, shape: [number, number, number]): tf.Tensor4D {
  return tf.tidy(() => {
    const t = x instanceof tf.Tensor ? tf.cast(x, 'float32') : tf.tensor(Float32Array.from(x), [x.length / (shape[0] * shape[1] * shape[2]), ...shape]);
    if (t.shape.slice(1).join() !== shape.join()) throw new TfnasError(`x: images of [${t.shape.slice(1).join(', ')}], but the classifier was fitted on [${shape.join(', ')}]`, { option: 'x' });
    const max = tf.max(t).dataSync()[0];
    return (max <= 1 ? tf.mul(t, 255) : t) as tf.Tensor4D;
  });
}
