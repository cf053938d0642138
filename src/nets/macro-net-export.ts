/**
 * The exported model of a macro-space network (macro-net.ts): standard tf.layers only, forward
 * only, the format tf.loadLayersModel reads in Node and in a browser. The same layout as the
 * functional network; layers are named after its parameters (`s1b1_conv.weight` → layer
 * `s1b1_conv`; a separable conv's layer `s1b1_sep` holds `s1b1_dw` and `s1b1_pw`), and
 * network-export.ts's copyNamedWeights takes the trained weights in by that name.
 */
import * as tf from '@tensorflow/tfjs';
import type { MacroGenotype } from '../space/macro-space';
import { macroLayout, MacroLayoutBlock, MacroNetConfig, MacroNetwork } from './macro-net';
import { withNamedWeights } from './network-export';
import { bn } from './network-ops';

type T = tf.SymbolicTensor;
const zeros = () => tf.initializers.zeros();

function block(x: T, L: MacroLayoutBlock, bnOn: boolean, merges: Record<string, string[]>): T {
  const common = { filters: L.filters, kernelSize: L.kernel, padding: 'same' as const, useBias: !bnOn };
  let y: T;
  if (L.separable) {
    merges[`${L.name}_sep`] = [`${L.name}_dw`, `${L.name}_pw`];
    const layer = tf.layers.separableConv2d({ ...common, name: `${L.name}_sep`, depthwiseInitializer: zeros(), pointwiseInitializer: zeros() });
    y = layer.apply(x) as T;
  } else {
    y = tf.layers.conv2d({ ...common, name: `${L.name}_conv`, kernelInitializer: zeros() }).apply(x) as T;
  }
  if (bnOn) y = bn(`${L.name}_bn`, y);
  if (L.skip !== 'none') {
    const shortcut = L.skip === 'identity' ? x : (tf.layers.conv2d({ filters: L.filters, kernelSize: 1, useBias: false, kernelInitializer: zeros(), name: `${L.name}_proj` }).apply(x) as T);
    y = tf.layers.add({ name: `${L.name}_add` }).apply([y, shortcut]) as T;
  }
  return tf.layers.reLU({ name: `${L.name}_relu` }).apply(y) as T;
}

/** The standard-layers graph with zero weights, and the layers that hold several functional parameters. */
export function buildMacroInferenceGraph(g: MacroGenotype, cfg: MacroNetConfig): { model: tf.LayersModel; merges: Record<string, string[]> } {
  const layout = macroLayout(g, cfg.inputShape);
  const merges: Record<string, string[]> = {};
  const input = tf.input({ shape: cfg.inputShape, name: 'image' });
  let x: T = input;
  for (const stage of layout.stages) {
    for (const L of stage.blocks) x = block(x, L, g.batchNorm, merges);
    if (stage.pool !== 'none') {
      const pool = stage.pool === 'max' ? tf.layers.maxPooling2d : tf.layers.averagePooling2d;
      x = pool({ poolSize: 2, strides: 2, name: stage.name }).apply(x) as T;
    }
  }
  x = (layout.head === 'flatten' ? tf.layers.flatten({ name: 'flatten' }) : tf.layers.globalAveragePooling2d({ name: 'gap' })).apply(x) as T;
  if (g.dense > 0) x = tf.layers.dense({ units: g.dense, activation: 'relu', kernelInitializer: zeros(), name: 'dense' }).apply(x) as T;
  const logits = tf.layers.dense({ units: cfg.numClasses, kernelInitializer: zeros(), name: 'logits' }).apply(x) as T;
  return { model: tf.model({ inputs: input, outputs: logits, name: 'macro' }), merges };
}

/** The inference model of a (trained) macro network, its weights and running statistics copied in by name. */
export function macroInferenceModel(net: MacroNetwork): tf.LayersModel {
  return withNamedWeights(buildMacroInferenceGraph(net.genotype, net.config), net);
}
