import * as tf from '@tensorflow/tfjs';
import { badArgument, UsageError } from '../io/errors';
import type { DartsGenotype } from '../space/genotype-types';
import { Rng } from '../space/rng';
import { DropPathControl } from './layers/drop-path';
import { bn, BuildContext, BuildMode, conv, edgeOp, factorizedReduce, maybeDropPath, relu, reluConvBn } from './network-ops';

/**
 * The discrete DARTS network for CIFAR-sized inputs (quark0/darts cnn/model.py NetworkCIFAR) as a
 * TensorFlow.js functional LayersModel: stem conv 3×3 → 3C + BN; `layers` cells with reduction
 * cells at layers//3 and 2·layers//3 (channels doubled there); global average pooling; linear.
 * With `auxiliary`, a second output comes from AuxiliaryHeadCIFAR after cell 2·layers//3.
 */
export interface NetworkConfig {
  /** Initial channels C (the reference's --init_channels; the stem has 3C). */
  C: number;
  /** Number of cells (the reference's --layers). */
  layers: number;
  numClasses: number;
  auxiliary: boolean;
  /** Insert drop-path layers (train mode only; their rate is set through `dropPath`). */
  dropPath: boolean;
  /** [H, W, channels] of one input image. */
  inputShape: [number, number, number];
  /** Seeds the weight initialisation (default 0). */
  seed?: number;
}

export interface DartsNetwork {
  /** The training model: outputs [logits] or, with the auxiliary head, [logits, auxLogits]. */
  model: tf.LayersModel;
  /** The same layers with the logits output only (evaluation: no auxiliary head computed). */
  logitsModel: tf.LayersModel;
  /** Drop-path rate and mask stream shared by the model's DropPath layers. */
  dropPath: DropPathControl;
  genotype: DartsGenotype;
  config: NetworkConfig;
}

/** Name prefix of every auxiliary-head layer (the reference excludes "auxiliary" params from its count). */
export const AUX_PREFIX = 'auxiliary';
const STEM_MULTIPLIER = 3; // model.py NetworkCIFAR: stem_multiplier = 3

type T = tf.SymbolicTensor;

export function reductionCells(layers: number): number[] {
  return [...new Set([Math.floor(layers / 3), Math.floor((2 * layers) / 3)])];
}

export function auxCellIndex(layers: number): number {
  return Math.floor((2 * layers) / 3);
}

/** Checks sizes before any layer is built, so bad flags fail with a message naming the flag. */
export function validateConfig(cfg: NetworkConfig): void {
  const posInt = (v: number) => Number.isInteger(v) && v > 0;
  if (!posInt(cfg.C)) badArgument('init-channels', 'a positive integer', cfg.C);
  if (!posInt(cfg.layers)) badArgument('layers', 'a positive integer', cfg.layers);
  if (!posInt(cfg.numClasses) || cfg.numClasses < 2) badArgument('num-classes', 'an integer of at least 2', cfg.numClasses);
  const [h, w] = cfg.inputShape;
  const div = 2 ** reductionCells(cfg.layers).length;
  if (h % div !== 0 || w % div !== 0) {
    throw new UsageError(`input images are ${h}×${w}; the network's ${Math.log2(div)} reduction cells need sides divisible by ${div}`);
  }
  if (cfg.auxiliary) {
    const side = Math.min(h, w) / div;
    if (side < 2) throw new UsageError(`the auxiliary head needs at least a 2×2 feature map (got ${side}×${side}); use larger images or --no-auxiliary`);
  }
}

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
      const e = `${name}_n${node}_e${j}`;
      const { y, identity } = edgeOp(ctx, e, op, states[from], stride);
      return maybeDropPath(ctx, `${e}_droppath`, y, identity);
    });
    states.push(tf.layers.add({ name: `${name}_n${node}_add` }).apply(inputs) as T);
  }
  const outs = concat.map((i) => states[i]);
  return outs.length === 1 ? outs[0] : (tf.layers.concatenate({ name: `${name}_concat`, axis: -1 }).apply(outs) as T);
}

/**
 * AuxiliaryHeadCIFAR: ReLU, avg pool 5 stride 3 (8×8 → 2×2), conv 1×1 → 128, BN, ReLU,
 * conv 2×2 → 768, BN, ReLU, linear. The reference assumes an 8×8 map (32×32 inputs); for other
 * sizes the pooling window and stride are chosen so that it still yields 2×2, which keeps the
 * head's parameters (and the reference's count) unchanged.
 */
function auxiliaryHead(ctx: BuildContext, x: T, numClasses: number): T {
  const side = x.shape[1] as number;
  const sideW = x.shape[2] as number;
  const win = (s: number) => (s === 8 ? [5, 3] : [s - Math.floor(s / 2), Math.floor(s / 2)]);
  const [ph, sh] = win(side);
  const [pw, sw] = win(sideW);
  const p = AUX_PREFIX;
  let y = relu(`${p}_relu0`, x);
  y = tf.layers.averagePooling2d({ name: `${p}_pool`, poolSize: [ph, pw], strides: [sh, sw], padding: 'valid' }).apply(y) as T;
  y = relu(`${p}_relu1`, bn(`${p}_bn1`, conv(ctx, `${p}_conv1`, y, 128, [1, 1], [1, 1], [0, 0])));
  y = relu(`${p}_relu2`, bn(`${p}_bn2`, conv(ctx, `${p}_conv2`, y, 768, [2, 2], [1, 1], [0, 0])));
  y = tf.layers.flatten({ name: `${p}_flatten` }).apply(y) as T;
  return classifier(ctx, `${p}_classifier`, y, numClasses);
}

function classifier(ctx: BuildContext, name: string, x: T, numClasses: number): T {
  const fanIn = x.shape[x.shape.length - 1] as number;
  const bound = 1 / Math.sqrt(fanIn);
  const initArgs = () =>
    ctx.mode === 'inference'
      ? tf.initializers.zeros()
      : tf.initializers.randomUniform({ minval: -bound, maxval: bound, seed: ctx.rng.int(2 ** 31 - 1) });
  return tf.layers.dense({ name, units: numClasses, kernelInitializer: initArgs(), biasInitializer: initArgs() }).apply(x) as T;
}

/** Builds the graph; returns the logits and, when asked for, the auxiliary logits. */
export function buildGraph(genotype: DartsGenotype, cfg: NetworkConfig, ctx: BuildContext, withAux: boolean): { input: T; logits: T; aux: T | null } {
  validateConfig(cfg);
  const input = tf.input({ shape: cfg.inputShape, name: 'image' });
  const stem = bn('stem_bn', conv(ctx, 'stem_conv', input, STEM_MULTIPLIER * cfg.C, [3, 3], [1, 1], [1, 1]));
  let [s0, s1] = [stem, stem];
  let C = cfg.C;
  let reductionPrev = false;
  let aux: T | null = null;
  const reductions = reductionCells(cfg.layers);
  for (let i = 0; i < cfg.layers; i++) {
    const reduction = reductions.includes(i);
    if (reduction) C *= 2;
    const out = cell(ctx, `cell${i}`, genotype, s0, s1, C, reduction, reductionPrev);
    [s0, s1] = [s1, out];
    reductionPrev = reduction;
    if (withAux && i === auxCellIndex(cfg.layers)) aux = auxiliaryHead(ctx, s1, cfg.numClasses);
  }
  const pooled = tf.layers.globalAveragePooling2d({ name: 'global_pool' }).apply(s1) as T;
  return { input, logits: classifier(ctx, 'classifier', pooled, cfg.numClasses), aux };
}

/**
 * Builds the trainable network for `genotype`: drop-path layers (if `cfg.dropPath`), the
 * auxiliary head (if `cfg.auxiliary`), and weights initialised as PyTorch does, seeded.
 */
export function buildNetwork(genotype: DartsGenotype, cfg: NetworkConfig): DartsNetwork {
  const dropPath = new DropPathControl(cfg.seed ?? 0);
  const ctx: BuildContext = { mode: 'train', rng: new Rng(cfg.seed ?? 0), dropPath: cfg.dropPath ? dropPath : null, merges: {} };
  const { input, logits, aux } = buildGraph(genotype, cfg, ctx, cfg.auxiliary);
  const model = tf.model({ inputs: input, outputs: aux ? [logits, aux] : [logits], name: 'darts_network_train' });
  const logitsModel = tf.model({ inputs: input, outputs: logits, name: 'darts_network_logits' });
  return { model, logitsModel, dropPath, genotype, config: { ...cfg } };
}

/**
 * Builds the standard-layers inference graph (no drop-path, no auxiliary head) with zero weights,
 * and which training layers each of its layers takes its weights from.
 */
export function buildInferenceGraph(genotype: DartsGenotype, cfg: NetworkConfig): { model: tf.LayersModel; sources: (name: string) => string[] } {
  const ctx: BuildContext = { mode: 'inference' as BuildMode, rng: new Rng(0), dropPath: null, merges: {} };
  const { input, logits } = buildGraph(genotype, { ...cfg, auxiliary: false, dropPath: false }, ctx, false);
  const model = tf.model({ inputs: input, outputs: logits, name: 'darts_network' });
  return { model, sources: (name) => ctx.merges[name] ?? [name] };
}

/**
 * The inference model of a trained network: standard layers only, weights (including BatchNorm
 * running statistics) copied from the training model by layer name (the graphs share names; a
 * separable conv takes the weights of the depthwise and pointwise layers it replaces).
 */
export function toInferenceModel(net: DartsNetwork): tf.LayersModel {
  const { model, sources } = buildInferenceGraph(net.genotype, net.config);
  for (const layer of model.layers) {
    if (layer.weights.length === 0) continue;
    const values = sources(layer.name).flatMap((src) => net.model.getLayer(src).getWeights());
    layer.setWeights(values);
  }
  return model;
}

/** Trainable parameter counts: all, and without the auxiliary head (the reference's "param size"). */
export function countParams(model: tf.LayersModel): { params: number; params_without_auxiliary: number } {
  let params = 0;
  let aux = 0;
  for (const layer of model.layers) {
    const n = layer.trainableWeights.reduce((s, w) => s + w.shape.reduce((a: number, b) => a * (b as number), 1), 0);
    params += n;
    if (layer.name.startsWith(AUX_PREFIX)) aux += n;
  }
  return { params, params_without_auxiliary: params - aux };
}

/** The papers' way: millions to one decimal, without the auxiliary head (DARTS_V2: "3.3M"). */
export function formatParamsMillions(n: number): string {
  return n >= 1e5 ? `${(n / 1e6).toFixed(1)}M` : `${Number((n / 1e6).toPrecision(2))}M`;
}

/** Frees the network's weights (both models share them). */
export function disposeNetwork(net: DartsNetwork): void {
  net.model.dispose();
}
