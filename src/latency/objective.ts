/**
 * The latency term of a DARTS architecture objective (an ArchObjective of search/darts/architect.ts).
 * The expected latency of the supernet's α is differentiable: E[LAT] = fixed + Σ_edges Σ_ops
 * p(op)·LAT(op at the edge's position), p = softmax(α) (without `none` where the derivation
 * ignores it), LAT from a measured table (predictor.ts's latencyMatrices). Two forms (ProxylessNAS,
 * Cai et al., ICLR 2019, eq. 5 and its appendix; MnasNet/FBNet's multiplicative reward):
 *   additive:        L = CE + λ·(E[LAT] − T)/T
 *   multiplicative:  L = CE · (log E[LAT] / log T)^β
 */
import * as tf from '@tensorflow/tfjs';
import { UsageError } from '../io/errors';
import type { Weights } from '../ops/context';
import { SPACE_OPS } from './positions';
import { excludesNone, expectedLatency, latencyMatrices } from './predictor';
import { LatencyTable, readLatencyTable } from './table';

export const LATENCY_LOSSES = ['additive', 'multiplicative'] as const;
export type LatencyLoss = (typeof LATENCY_LOSSES)[number];

/** What `--latency-*` set for a DARTS search (null in DartsConfig: no latency term). */
export interface LatencyObjectiveConfig {
  table: string;
  /** λ of the additive form. */
  weight: number;
  /** T in ms (null: the expected latency of uniform α, i.e. of the supernet at the start). */
  target: number | null;
  loss: LatencyLoss;
  /** β of the multiplicative form (FBNet, Wu et al., CVPR 2019, §4.1: β = 0.6). */
  beta: number;
}

export const DEFAULT_LATENCY_BETA = 0.6;

/** The expected latency (ms) as a scalar tensor of the α matrices (differentiable). */
export function expectedLatencyTensor(t: LatencyTable, alphas: Weights): tf.Scalar {
  const m = latencyMatrices(t);
  const none = SPACE_OPS[t.network.space].indexOf('none');
  const terms = Object.entries(m).map(([name, lat]) => {
    const a = alphas[name];
    if (!a) throw new UsageError(`--latency-table: the supernet has no α matrix '${name}' (the table is for the ${t.network.space} space)`);
    let p = tf.softmax(a, -1);
    if (excludesNone(t)) {
      const keep = tf.tensor1d(SPACE_OPS[t.network.space].map((_, k) => (k === none ? 0 : 1)));
      const masked = tf.mul(p, keep);
      p = tf.div(masked, tf.sum(masked, -1, true));
    }
    return tf.sum(tf.mul(p, tf.tensor2d(lat)));
  });
  return tf.add(tf.addN(terms), t.fixedMs) as tf.Scalar;
}

export interface LatencyTerm {
  table: LatencyTable;
  /** T in ms (resolved). */
  target: number;
  /** The ArchObjective: maps the validation loss and α to the latency-aware loss. */
  objective: (loss: tf.Scalar, alphas: Weights) => tf.Scalar;
}

/** Reads the table and builds the term; `space` is the supernet's (the table must be for it). */
export function latencyTerm(c: LatencyObjectiveConfig, space: string, alphaShapes: Record<string, number[]>): LatencyTerm {
  const table = readLatencyTable(c.table);
  if (table.network.space !== space) throw new UsageError(`--latency-table: ${c.table} was measured for the ${table.network.space} space; this search is on ${space}`);
  const uniform = Object.fromEntries(Object.entries(alphaShapes).map(([k, [rows, cols]]) => [k, Array.from({ length: rows }, () => Array(cols).fill(1 / cols))]));
  const target = c.target ?? expectedLatency(table, uniform);
  if (c.loss === 'multiplicative' && target <= 1) throw new UsageError(`--latency-target: the multiplicative form needs a target above 1 ms (log T > 0), got ${target}`);
  const objective = (loss: tf.Scalar, alphas: Weights): tf.Scalar => {
    const e = expectedLatencyTensor(table, alphas);
    if (c.loss === 'additive') return tf.add(loss, tf.mul(c.weight / target, tf.sub(e, target))) as tf.Scalar;
    return tf.mul(loss, tf.pow(tf.div(tf.log(e), Math.log(target)), c.beta)) as tf.Scalar;
  };
  return { table, target, objective };
}

/** Checks the `--latency-*` values (with or without a table); throws a UsageError naming the flag. */
export function validateLatencyConfig(c: LatencyObjectiveConfig): void {
  if (!(Number.isFinite(c.weight) && c.weight >= 0)) throw new UsageError(`--latency-weight: expected a number >= 0, got ${c.weight}`);
  if (c.target !== null && !(Number.isFinite(c.target) && c.target > 0)) throw new UsageError(`--latency-target: expected a positive number of ms, got ${c.target}`);
  if (!(Number.isFinite(c.beta) && c.beta > 0)) throw new UsageError(`--latency-beta: expected a positive number, got ${c.beta}`);
  if (!LATENCY_LOSSES.includes(c.loss)) throw new UsageError(`--latency-loss: expected ${LATENCY_LOSSES.join(' or ')}, got ${c.loss}`);
}
