import type { SpaceName } from '../space/spaces';

/** The spaces that have a weight-sharing supernet (NAS-Bench-101 is searched by the black-box strategies only). */
export type SupernetSpace = Extract<SpaceName, 'darts' | 'nb201'>;
import * as tf from '@tensorflow/tfjs';
import { OpContext, ParamBuilder, Weights, variableFrom } from '../ops/context';
import { Rng } from '../space/rng';
import type { MixingConfig, MixingState } from './supernet-mixing';

/**
 * The weight-sharing supernet of a search space: every edge is the softmax(α)-weighted sum of all
 * candidate ops. Functional: `forward` reads the weights from `ctx.w` and α from its argument, so
 * the DARTS architect can evaluate it at virtual or perturbed weights without copying the model.
 */
export interface AlphaLayout {
  /** The α matrix's name (`normal`, `reduce`, or `cell` for NAS-Bench-201). */
  name: string;
  /** One label per row (edge), e.g. `2<-0` (node 2 from input 0). */
  edges: string[];
  /** The column (op) names, in primitive order. */
  ops: readonly string[];
}

export interface Supernet {
  readonly space: SupernetSpace;
  readonly numClasses: number;
  /** Trainable weights (α not included). */
  readonly weights: Record<string, tf.Variable>;
  /** BatchNorm running statistics (not trained). */
  readonly buffers: Record<string, tf.Variable>;
  /** Architecture parameters, one [edges, ops] matrix per layout entry. */
  readonly alphas: Record<string, tf.Variable>;
  readonly alphaLayout: AlphaLayout[];
  /** How the edges mix their ops (supernet-mixing.ts); `alphas` also holds edge-normalisation β. */
  readonly mixing: MixingConfig;
  /** Per-epoch settings of the mixing (DARTS-'s β_skip, GDAS's τ and noise), set by the search loop. */
  readonly mixState: MixingState;
  forward(x: tf.Tensor4D, ctx: OpContext, alphas: Weights): tf.Tensor2D;
  /** Trainable weight count, as PyTorch counts model.parameters() (α excluded). */
  paramCount(): number;
  dispose(): void;
}

/** The search spaces' names, declared once, by the registry (space/spaces.ts). */

export interface SupernetConfig {
  /** Initial channels (C). */
  C: number;
  /** DARTS: total cells; NAS-Bench-201: cells per stage (N). */
  layers: number;
  numClasses: number;
  /** Input image channels (3 for CIFAR). */
  inChannels: number;
  seed: number;
  /** The method's mixing mechanisms (default: DARTS's softmax-weighted sum of every op). */
  mixing?: MixingConfig;
}

export { mixedNode, buildEdge, checkpointed } from './supernet-edge';
export type { Edge } from './supernet-edge';

/** α initialised as in the reference: 1e-3·N(0, 1), seeded. */
export function initAlpha(rng: Rng, rows: number, cols: number): tf.Variable {
  const v = new Float32Array(rows * cols);
  for (let i = 0; i < v.length; i++) v[i] = 1e-3 * rng.normal();
  return variableFrom(tf.tensor2d(v, [rows, cols]), true);
}

/** Global average pooling and the linear classifier. */
export function classifierHead(b: ParamBuilder, cin: number, numClasses: number): (x: tf.Tensor4D, ctx: OpContext) => tf.Tensor2D {
  const { weight, bias } = b.linear('classifier', cin, numClasses);
  return (x, ctx) => tf.add(tf.matMul(tf.mean(x, [1, 2]) as tf.Tensor2D, ctx.w[weight] as tf.Tensor2D), ctx.w[bias]) as tf.Tensor2D;
}

export function disposeVars(...groups: Record<string, tf.Variable>[]): void {
  for (const g of groups) for (const v of Object.values(g)) v.dispose();
}

export function countParams(weights: Record<string, tf.Variable>): number {
  return Object.values(weights).reduce((s, v) => s + v.size, 0);
}
