/**
 * The network of a macro-space genotype (src/space/macro-space.ts) on the functional ops and
 * parameter builder the DARTS networks use (ops/context.ts): weights are named variables, the
 * forward pass a pure function of tensors (ctx.w, ctx.buffers), BatchNorm the shared one (fused
 * kernels on wasm), convolutions and dense layers without BatchNorm tfjs's fused conv/matMul with
 * bias and ReLU. Output: logits (no softmax). The standard-layers twin that gets exported for the
 * browser is macro-net-export.ts; it takes these weights by name.
 *
 * Block: conv (or depthwise-separable conv) 'same' → BatchNorm (when the genotype has it; the conv
 * then has no bias) → + the input (a 1×1 projection where the widths differ) when the block has a
 * skip → ReLU. Each stage ends in a 2×2 stride-2 pool. Weights are Glorot-uniform, biases zero
 * (Keras's defaults, which the plain-CNN baseline was measured with), seeded.
 *
 * Head: flatten then dense, as the plain-CNN example does, when the last feature map is at most
 * 8×8 (what two poolings of a 32×32 image give); otherwise global average pooling first, so that a
 * chain without pooling does not get a dense layer of millions of weights.
 */
import * as tf from '@tensorflow/tfjs';
import { mixSeed } from '../data/split';
import { batchNorm, OpContext, ParamBuilder, releasing } from '../ops/context';
import type { MacroGenotype } from '../space/macro-space';
import { Rng } from '../space/rng';
import type { DartsNetwork, NetworkOutputs } from './network';
import { disposeVars } from './supernet';

/** Largest feature map (side) flattened into the head; larger ones are averaged (see above). */
export const FLATTEN_MAX_SIDE = 8;

export interface MacroNetConfig {
  /** [H, W, channels] of one input image. */
  inputShape: [number, number, number];
  numClasses: number;
  /** Seeds the weight initialisation; the same seed gives the same weights. */
  seed: number;
}

/** One block of the chain as built: its layer names and widths. */
export interface MacroLayoutBlock {
  name: string;
  cin: number;
  filters: number;
  kernel: number;
  separable: boolean;
  /** Skip: none, the input itself, or a 1×1 projection of it. */
  skip: 'none' | 'identity' | 'project';
}

export interface MacroLayoutStage {
  blocks: MacroLayoutBlock[];
  /** The pooling actually applied (a 1×1 map cannot be pooled: then 'none'). */
  pool: 'max' | 'avg' | 'none';
  name: string;
}

/** The chain's structure, shared by the functional network and its exported twin. */
export interface MacroLayout {
  stages: MacroLayoutStage[];
  head: 'flatten' | 'gap';
  /** Width of the head's input (flattened map or channels). */
  features: number;
}

export function macroLayout(g: MacroGenotype, inputShape: readonly [number, number, number]): MacroLayout {
  let [h, w, c] = inputShape;
  const stages = g.stages.map((stage, s): MacroLayoutStage => {
    const blocks = stage.blocks.map((b, i): MacroLayoutBlock => {
      const skip = !b.skip ? 'none' : c === b.filters ? 'identity' : 'project';
      const out = { name: `s${s + 1}b${i + 1}`, cin: c, filters: b.filters, kernel: b.kernel, separable: b.separable, skip } as const;
      c = b.filters;
      return out;
    });
    const pool = stage.pool !== 'none' && Math.min(h, w) >= 2 ? stage.pool : 'none';
    if (pool !== 'none') [h, w] = [Math.floor(h / 2), Math.floor(w / 2)];
    return { blocks, pool, name: `s${s + 1}_${pool}pool` };
  });
  const head = Math.max(h, w) <= FLATTEN_MAX_SIDE ? 'flatten' : 'gap';
  return { stages, head, features: head === 'flatten' ? h * w * c : c };
}

/** The functional network (weights, buffers, forward, predict as the DARTS network's) of a macro genotype. */
export interface MacroNetwork extends Pick<DartsNetwork, 'weights' | 'buffers' | 'predict'> {
  readonly genotype: MacroGenotype;
  readonly config: MacroNetConfig;
  readonly layout: MacroLayout;
  /**
   * Training (ctx.training: batch statistics, dropout) or evaluation forward, reading the weights
   * from ctx.w. Dropout's mask is a function of ctx.dropPath's seed, epoch and step (the network
   * has no paths to drop; its rate is the genotype's), so a resumed run draws an uninterrupted one's.
   */
  forward(x: tf.Tensor4D, ctx: OpContext): NetworkOutputs;
}

type Fn = (x: tf.Tensor4D, ctx: OpContext) => tf.Tensor4D;

/** conv (or separable conv), + bias and ReLU fused when there is no BatchNorm, no skip between. */
function convOf(b: ParamBuilder, L: MacroLayoutBlock, bn: boolean): Fn {
  const k = L.kernel;
  const dw = L.separable ? b.glorot(`${L.name}_dw`, [k, k, L.cin, 1]) : null;
  const base = `${L.name}_${L.separable ? 'pw' : 'conv'}`;
  const kk = L.separable ? 1 : k;
  const shape = [kk, kk, L.cin, L.filters];
  const filter = bn ? b.glorot(base, shape) : b.glorot(`${base}.weight`, shape);
  const bias = bn ? null : b.zeros(`${base}.bias`, [L.filters]);
  // ReLU comes after the skip's addition, so it is fused only into a block without one.
  const activation = L.skip === 'none' ? 'relu' : 'linear';
  return (x, ctx) => {
    const h = dw ? tf.depthwiseConv2d(x, ctx.w[dw] as tf.Tensor4D, 1, 'same') : x;
    if (!bias) return tf.conv2d(h, ctx.w[filter] as tf.Tensor4D, 1, 'same');
    return tf.fused.conv2d({ x: h, filter: ctx.w[filter] as tf.Tensor4D, strides: 1, pad: 'same', bias: ctx.w[bias], activation });
  };
}

function blockOf(b: ParamBuilder, L: MacroLayoutBlock, bnOn: boolean): Fn {
  const conv = convOf(b, L, bnOn);
  const norm = bnOn ? batchNorm(b.bn(`${L.name}_bn`, L.filters, true), true) : null;
  const proj = L.skip === 'project' ? b.glorot(`${L.name}_proj`, [1, 1, L.cin, L.filters]) : null;
  return (x, ctx) => {
    let y = conv(x, ctx);
    if (norm) y = norm(y, ctx);
    if (L.skip !== 'none') y = tf.add(y, proj ? tf.conv2d(x, ctx.w[proj] as tf.Tensor4D, 1, 'valid') : x);
    // Without BatchNorm and skip the conv already applied its ReLU.
    return norm || L.skip !== 'none' ? tf.relu(y) : y;
  };
}

/** Dense layer (Glorot kernel, zero bias) with tfjs's fused matMul + bias (+ ReLU). */
function dense(b: ParamBuilder, name: string, cin: number, units: number, activation: 'relu' | 'linear') {
  const [w, bias] = [b.glorot(`${name}.weight`, [cin, units]), b.zeros(`${name}.bias`, [units])];
  return (x: tf.Tensor2D, ctx: OpContext) => tf.fused.matMul({ a: x, b: ctx.w[w] as tf.Tensor2D, bias: ctx.w[bias], activation }) as tf.Tensor2D;
}

/** Builds the network; the same genotype, configuration and seed give the same initial weights. */
export function buildMacroNet(genotype: MacroGenotype, config: MacroNetConfig): MacroNetwork {
  const layout = macroLayout(genotype, config.inputShape);
  const b = new ParamBuilder(new Rng(mixSeed(config.seed, 0x6d6163)));
  const stages = layout.stages.map((s) => ({ blocks: s.blocks.map((L) => blockOf(b, L, genotype.batchNorm)), pool: s.pool }));
  const hidden = genotype.dense > 0 ? dense(b, 'dense', layout.features, genotype.dense, 'relu') : null;
  const logits = dense(b, 'logits', hidden ? genotype.dense : layout.features, config.numClasses, 'linear');
  const forward = (x: tf.Tensor4D, ctx: OpContext): NetworkOutputs => {
    let h = x;
    for (const s of stages) {
      for (const f of s.blocks) h = releasing(() => f(h, ctx));
      if (s.pool === 'max') h = tf.maxPool(h, 2, 2, 'valid');
      else if (s.pool === 'avg') h = tf.avgPool(h, 2, 2, 'valid');
    }
    let z = (layout.head === 'flatten' ? tf.reshape(h, [h.shape[0], -1]) : tf.mean(h, [1, 2])) as tf.Tensor2D;
    if (hidden) z = hidden(z, ctx);
    const d = ctx.dropPath;
    if (ctx.training && genotype.dropout > 0) z = tf.dropout(z, genotype.dropout, undefined, d ? mixSeed(d.seed, d.epoch, d.step) : undefined) as tf.Tensor2D;
    return { logits: logits(z, ctx), aux: null };
  };
  return {
    genotype,
    config: { ...config },
    layout,
    weights: b.params,
    buffers: b.buffers,
    forward,
    predict: (x) => tf.tidy(() => forward(x, { training: false, w: b.params, buffers: b.buffers, bnUpdates: null }).logits),
  };
}

export function disposeMacroNet(net: MacroNetwork): void {
  disposeVars(net.weights, net.buffers);
}
