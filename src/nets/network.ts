import * as tf from '@tensorflow/tfjs';
import { badArgument, UsageError } from '../io/errors';
import { CELL_OP_NAMES, CELL_OPS, isIdentity } from '../ops/cell-ops';
import { OpContext, ParamBuilder, releasing, sequence } from '../ops/context';
import { bn, conv, factorizedReduce, reluConvBn } from '../ops/layers';
import type { DartsGenotype } from '../space/genotype-types';
import { Rng } from '../space/rng';
import { classifierHead, disposeVars } from './supernet';
import { tracked } from './recompute';
import { CellEdge, cellForward, CellParts } from './network-cell';
import { auxiliaryHead } from './network-aux';

/**
 * The discrete DARTS network for CIFAR-sized inputs (quark0/darts cnn/model.py NetworkCIFAR) on the
 * supernet's functional ops, parameter builder and OpContext: stem conv 3×3 → 3C + BN; `layers`
 * cells with reduction cells at layers//3 and 2·layers//3 (channels doubled there); global average
 * pooling; linear. With `auxiliary`, training forwards also return AuxiliaryHeadCIFAR's logits
 * after cell 2·layers//3. Parameters are named `<layer>.<part>` (`cell3_n0_e1.dw1`); the exported
 * standard-layers model (network-export.ts) names its layers `<layer>_<part>` and takes the weights by
 * that name. Gradient checkpointing (ctx.recompute) uses the supernet's engine: see network-cell.ts.
 */
export interface NetworkConfig {
  /** Initial channels C (the reference's --init_channels; the stem has 3C). */
  C: number;
  /** Number of cells (the reference's --layers). */
  layers: number;
  numClasses: number;
  auxiliary: boolean;
  /** [H, W, channels] of one input image. */
  inputShape: [number, number, number];
  /** Seeds the weight initialisation (default 0). */
  seed?: number;
}

export interface NetworkOutputs {
  logits: tf.Tensor2D;
  /** The auxiliary head's logits (training forwards of a network with `auxiliary`), else null. */
  aux: tf.Tensor2D | null;
}

export interface DartsNetwork {
  readonly genotype: DartsGenotype;
  readonly config: NetworkConfig;
  /** Trainable weights by name (the auxiliary head's under `auxiliary_`). */
  readonly weights: Record<string, tf.Variable>;
  /** BatchNorm running statistics (`<bn>/mean`, `<bn>/var`). */
  readonly buffers: Record<string, tf.Variable>;
  /** Training (ctx.training) or evaluation forward; reads weights from ctx.w, drop-path from ctx.dropPath. */
  forward(x: tf.Tensor4D, ctx: OpContext): NetworkOutputs;
  /** Evaluation-mode logits (running statistics, no drop-path, no auxiliary head). */
  predict(x: tf.Tensor4D): tf.Tensor2D;
}

/** Name prefix of the auxiliary head's weights (the reference excludes them from its count). */
export const AUX_PREFIX = 'auxiliary';
const STEM_MULTIPLIER = 3; // model.py NetworkCIFAR: stem_multiplier = 3

export function reductionCells(layers: number): number[] {
  return [...new Set([Math.floor(layers / 3), Math.floor((2 * layers) / 3)])];
}

export function auxCellIndex(layers: number): number {
  return Math.floor((2 * layers) / 3);
}

/** Checks sizes before any weight is built, so bad flags fail with a message naming the flag. */
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

/** Checks every op a genotype names before any weight is built. */
function validateOps(g: DartsGenotype): void {
  for (const [op] of [...g.normal, ...g.reduce]) {
    if (!CELL_OPS[op]) throw new UsageError(`genotype: op '${op}' cannot be built in a discrete network; expected one of ${CELL_OP_NAMES.join(', ')}`);
  }
}

function buildCell(b: ParamBuilder, g: DartsGenotype, index: number, cpp: number, cp: number, C: number, reduction: boolean, reductionPrev: boolean): CellParts {
  const name = `cell${index}`;
  const pre0 = tracked(b, () => (reductionPrev ? factorizedReduce(b, `${name}_pre0`, cpp, C, true) : reluConvBn(b, `${name}_pre0`, cpp, C, 1, 1, 0, true)).apply);
  const pre1 = tracked(b, () => reluConvBn(b, `${name}_pre1`, cp, C, 1, 1, 0, true).apply);
  const edges: CellEdge[] = (reduction ? g.reduce : g.normal).map(([opName, from], k) => {
    const stride = reduction && from < 2 ? 2 : 1;
    const { value: op, params } = tracked(b, () => CELL_OPS[opName](b, `${name}_n${k >> 1}_e${k & 1}`, C, stride));
    return { op, from, identity: isIdentity(op), params };
  });
  const concat = reduction ? g.reduce_concat : g.normal_concat;
  return { index, pre0: pre0.value, pre1: pre1.value, pre0Params: pre0.params, pre1Params: pre1.params, edges, concat };
}

/**
 * Builds the network for `genotype` with weights initialised as PyTorch does (seeded): the same
 * seed gives the same weights.
 */
export function buildNetwork(genotype: DartsGenotype, cfg: NetworkConfig): DartsNetwork {
  validateConfig(cfg);
  validateOps(genotype);
  const b = new ParamBuilder(new Rng(cfg.seed ?? 0));
  let cCurr = STEM_MULTIPLIER * cfg.C;
  const stem = sequence(conv(b, 'stem_conv', 3, cfg.inputShape[2], cCurr, 1, 1), bn(b, 'stem_bn', cCurr, true));
  let [cpp, cp] = [cCurr, cCurr];
  cCurr = cfg.C;
  const cells: CellParts[] = [];
  const reductions = reductionCells(cfg.layers);
  let reductionPrev = false;
  let auxChannels = 0;
  for (let i = 0; i < cfg.layers; i++) {
    const reduction = reductions.includes(i);
    if (reduction) cCurr *= 2;
    cells.push(buildCell(b, genotype, i, cpp, cp, cCurr, reduction, reductionPrev));
    reductionPrev = reduction;
    const concat = reduction ? genotype.reduce_concat : genotype.normal_concat;
    [cpp, cp] = [cp, concat.length * cCurr];
    if (i === auxCellIndex(cfg.layers)) auxChannels = cp;
  }
  const aux = cfg.auxiliary ? auxiliaryHead(b, AUX_PREFIX, auxChannels, cfg.numClasses) : null;
  const head = classifierHead(b, cp, cfg.numClasses);
  const forward = (x: tf.Tensor4D, ctx: OpContext): NetworkOutputs => {
    let s0 = stem(x, ctx);
    let s1 = s0;
    let auxLogits: tf.Tensor2D | null = null;
    cells.forEach((cell, i) => {
      [s0, s1] = [s1, releasing(() => cellForward(cell, s0, s1, ctx))];
      if (aux && ctx.training && i === auxCellIndex(cfg.layers)) auxLogits = aux(s1, ctx);
    });
    return { logits: head(s1, ctx), aux: auxLogits };
  };
  return {
    genotype,
    config: { ...cfg },
    weights: b.params,
    buffers: b.buffers,
    forward,
    predict: (x) => tf.tidy(() => forward(x, { training: false, w: b.params, buffers: b.buffers, bnUpdates: null }).logits),
  };
}

/** Trainable parameter counts: all, and without the auxiliary head (the reference's "param size"). */
export function countParams(net: DartsNetwork): { params: number; params_without_auxiliary: number } {
  let params = 0;
  let aux = 0;
  for (const [name, v] of Object.entries(net.weights)) {
    params += v.size;
    if (name.startsWith(`${AUX_PREFIX}_`)) aux += v.size;
  }
  return { params, params_without_auxiliary: params - aux };
}

/** The papers' way: millions to one decimal, without the auxiliary head (DARTS_V2: "3.3M"). */
export function formatParamsMillions(n: number): string {
  return n >= 1e5 ? `${(n / 1e6).toFixed(1)}M` : `${Number((n / 1e6).toPrecision(2))}M`;
}

/** Frees the network's weights and statistics. */
export function disposeNetwork(net: DartsNetwork): void {
  disposeVars(net.weights, net.buffers);
}
