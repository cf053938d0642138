import * as tf from '@tensorflow/tfjs';
import type { DartsGenotype } from '../space/genotype-types';
import { bn, BuildContext, conv, edgeOp, factorizedReduce, reluConvBn } from './network-ops';
import { DartsNetwork, NetworkConfig, reductionCells, validateConfig } from './network';

/**
 * The exported model of a trained discrete network: standard tf.layers only, forward only (no
 * drop-path, no auxiliary head), the format `model/` has always had, which tf.loadLayersModel reads
 * in Node and in a browser. Its layers are named after the functional parameters: parameter
 * `<layer>.<part>` (or `<layer>` alone) lives in layer `<layer>_<part>` (or `<layer>`).
 */
type T = tf.SymbolicTensor;
const STEM_MULTIPLIER = 3;

function cell(ctx: BuildContext, name: string, g: DartsGenotype, s0: T, s1: T, C: number, reduction: boolean, reductionPrev: boolean): T {
  const p0 = reductionPrev ? factorizedReduce(ctx, `${name}_pre0`, s0, C) : reluConvBn(ctx, `${name}_pre0`, s0, C);
  const p1 = reluConvBn(ctx, `${name}_pre1`, s1, C);
  const edges = reduction ? g.reduce : g.normal;
  const concat = reduction ? g.reduce_concat : g.normal_concat;
  const states: T[] = [p0, p1];
  for (let node = 0; node < edges.length / 2; node++) {
    const inputs = [0, 1].map((j) => {
      const [op, from] = edges[2 * node + j];
      const stride = reduction && from < 2 ? 2 : 1;
      return edgeOp(ctx, `${name}_n${node}_e${j}`, op, states[from], stride).y;
    });
    states.push(tf.layers.add({ name: `${name}_n${node}_add` }).apply(inputs) as T);
  }
  const outs = concat.map((i) => states[i]);
  return outs.length === 1 ? outs[0] : (tf.layers.concatenate({ name: `${name}_concat`, axis: -1 }).apply(outs) as T);
}

/**
 * Builds the standard-layers inference graph with zero weights, and which functional parameter
 * bases each of its layers takes its weights from (a separable conv: the depthwise and pointwise).
 */
export function buildInferenceGraph(genotype: DartsGenotype, cfg: NetworkConfig): { model: tf.LayersModel; merges: Record<string, string[]> } {
  validateConfig({ ...cfg, auxiliary: false });
  const ctx: BuildContext = { merges: {} };
  const input = tf.input({ shape: cfg.inputShape, name: 'image' });
  const stem = bn('stem_bn', conv(ctx, 'stem_conv', input, STEM_MULTIPLIER * cfg.C, [3, 3], [1, 1], [1, 1]));
  let [s0, s1] = [stem, stem];
  let C = cfg.C;
  let reductionPrev = false;
  const reductions = reductionCells(cfg.layers);
  for (let i = 0; i < cfg.layers; i++) {
    const reduction = reductions.includes(i);
    if (reduction) C *= 2;
    [s0, s1] = [s1, cell(ctx, `cell${i}`, genotype, s0, s1, C, reduction, reductionPrev)];
    reductionPrev = reduction;
  }
  const pooled = tf.layers.globalAveragePooling2d({ name: 'global_pool' }).apply(s1) as T;
  const units = cfg.numClasses;
  const logits = tf.layers.dense({ name: 'classifier', units, kernelInitializer: 'zeros', biasInitializer: 'zeros' }).apply(pooled) as T;
  return { model: tf.model({ inputs: input, outputs: logits, name: 'darts_network' }), merges: ctx.merges };
}

/** Weights and statistics by functional name (a network's, or one op's builder's). */
export interface NamedWeights {
  weights: Record<string, tf.Tensor>;
  buffers: Record<string, tf.Tensor>;
}

/** Layer name → the functional parameter base it holds (`cell3_n0_e1.dw1` → `cell3_n0_e1_dw1`). */
function layerSources(src: NamedWeights): Map<string, string> {
  const out = new Map<string, string>();
  const bases = [
    ...Object.keys(src.weights).map((n) => n.replace(/\.(gamma|beta|weight|bias)$/, '')),
    ...Object.keys(src.buffers).map((n) => n.replace(/\/(mean|var)$/, '')),
  ];
  for (const base of bases) out.set(base.replace(/\./g, '_'), base);
  return out;
}

/** The tensors of one functional layer, in the order the standard layer of its kind holds them. */
function layerTensors(src: NamedWeights, base: string): tf.Tensor[] {
  const { weights: w, buffers } = src;
  if (buffers[`${base}/mean`]) return [w[`${base}.gamma`], w[`${base}.beta`], buffers[`${base}/mean`], buffers[`${base}/var`]];
  if (w[`${base}.weight`]) return [w[`${base}.weight`], w[`${base}.bias`]];
  return [w[base]];
}

/**
 * Sets every weight of the standard-layers `model` from the functional tensors of the same name
 * (`merges`: layers holding the tensors of several functional layers, as network-ops records).
 */
export function copyNamedWeights(model: tf.LayersModel, merges: Record<string, string[]>, src: NamedWeights): void {
  const sources = layerSources(src);
  for (const layer of model.layers) {
    if (layer.weights.length === 0) continue;
    const values = (merges[layer.name] ?? [layer.name]).flatMap((name) => {
      const base = sources.get(name);
      if (base === undefined) throw new Error(`export: no trained weights for layer ${name}`);
      return layerTensors(src, base);
    });
    layer.setWeights(values);
  }
}

/** The built graph with the weights of `src` copied in (the graph is disposed if they do not fit). */
export function withNamedWeights(graph: { model: tf.LayersModel; merges: Record<string, string[]> }, src: NamedWeights): tf.LayersModel {
  try {
    copyNamedWeights(graph.model, graph.merges, src);
  } catch (e) {
    graph.model.dispose();
    throw e;
  }
  return graph.model;
}

/**
 * The inference model of a trained network: the standard-layers graph, with every weight (and the
 * BatchNorm running statistics) copied from the functional network by name.
 */
export function toInferenceModel(net: DartsNetwork): tf.LayersModel {
  return withNamedWeights(buildInferenceGraph(net.genotype, net.config), net);
}
