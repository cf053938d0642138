/**
 * The network of a macro-space genotype (src/space/macro-space.ts) as a tf.layers model: the chain
 * is small and is what gets exported (model.json for the browser), so it is built with tf.layers
 * in this one file. Output: logits (the classifier has no softmax; predict applies it).
 *
 * Head: flatten then dense, as the plain-CNN example does, when the last feature map is at most
 * 8×8 (what two poolings of a 32×32 image give); otherwise global average pooling first, so that a
 * chain without pooling does not get a dense layer of millions of weights.
 */
import * as tf from '@tensorflow/tfjs';
import type { MacroBlock, MacroGenotype } from '../space/macro-space';

/** Largest feature map (side) flattened into the head; larger ones are averaged (see above). */
const FLATTEN_MAX_SIDE = 8;

class Seeds {
  constructor(private next: number) {}
  glorot(): ReturnType<typeof tf.initializers.glorotUniform> {
    return tf.initializers.glorotUniform({ seed: this.next++ });
  }
  take(): number {
    return this.next++;
  }
}

function block(x: tf.SymbolicTensor, b: MacroBlock, bn: boolean, seeds: Seeds, name: string): tf.SymbolicTensor {
  const common = { filters: b.filters, kernelSize: b.kernel, padding: 'same' as const, useBias: !bn, name: `${name}_conv` };
  const conv = b.separable
    ? tf.layers.separableConv2d({ ...common, depthwiseInitializer: seeds.glorot(), pointwiseInitializer: seeds.glorot() })
    : tf.layers.conv2d({ ...common, kernelInitializer: seeds.glorot() });
  let y = conv.apply(x) as tf.SymbolicTensor;
  if (bn) y = tf.layers.batchNormalization({ name: `${name}_bn` }).apply(y) as tf.SymbolicTensor;
  if (b.skip) {
    const inChannels = x.shape[3] as number;
    const shortcut =
      inChannels === b.filters
        ? x
        : (tf.layers.conv2d({ filters: b.filters, kernelSize: 1, useBias: false, kernelInitializer: seeds.glorot(), name: `${name}_proj` }).apply(x) as tf.SymbolicTensor);
    y = tf.layers.add({ name: `${name}_add` }).apply([y, shortcut]) as tf.SymbolicTensor;
  }
  return tf.layers.reLU({ name: `${name}_relu` }).apply(y) as tf.SymbolicTensor;
}

/** Builds the model; the same genotype, shape and seed give the same initial weights. */
export function buildMacroNet(g: MacroGenotype, inputShape: [number, number, number], numClasses: number, seed: number): tf.LayersModel {
  const seeds = new Seeds(seed * 1000 + 1);
  const input = tf.input({ shape: inputShape, name: 'image' });
  let x = input;
  g.stages.forEach((stage, s) => {
    stage.blocks.forEach((b, i) => {
      x = block(x, b, g.batchNorm, seeds, `s${s + 1}b${i + 1}`);
    });
    const side = Math.min(x.shape[1] as number, x.shape[2] as number);
    // A 1×1 map cannot be pooled further; the genotype's pooling is then a no-op.
    if (stage.pool !== 'none' && side >= 2) {
      const pool = stage.pool === 'max' ? tf.layers.maxPooling2d : tf.layers.averagePooling2d;
      x = pool({ poolSize: 2, strides: 2, name: `s${s + 1}_${stage.pool}pool` }).apply(x) as tf.SymbolicTensor;
    }
  });
  const side = Math.max(x.shape[1] as number, x.shape[2] as number);
  x = (side <= FLATTEN_MAX_SIDE ? tf.layers.flatten({ name: 'flatten' }) : tf.layers.globalAveragePooling2d({ name: 'gap' })).apply(x) as tf.SymbolicTensor;
  if (g.dense > 0) x = tf.layers.dense({ units: g.dense, activation: 'relu', kernelInitializer: seeds.glorot(), name: 'dense' }).apply(x) as tf.SymbolicTensor;
  if (g.dropout > 0) x = tf.layers.dropout({ rate: g.dropout, seed: seeds.take(), name: 'dropout' }).apply(x) as tf.SymbolicTensor;
  const logits = tf.layers.dense({ units: numClasses, kernelInitializer: seeds.glorot(), name: 'logits' }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: logits, name: 'macro' });
}
