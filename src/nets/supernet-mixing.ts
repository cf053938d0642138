import * as tf from '@tensorflow/tfjs';
import type { Op, Weights } from '../ops/context';
import { Rng } from '../space/rng';

/**
 * How a supernet mixes its candidate ops, beyond DARTS's softmax(α)-weighted sum: the mechanisms of
 * the collapse-resistant DARTS variants that live in the network (src/search/darts/methods.ts
 * names their presets).
 *
 * - Partial channels (PC-DARTS, Xu et al. ICLR 2020, model_search.py MixedOp): the ops see the first
 *   C/K channels, the rest bypass them (through a 2×2 max-pool on stride-2 edges), then the
 *   channels are shuffled in K groups.
 * - Edge normalisation (PC-DARTS): a β per edge; a node sums its incoming edges weighted by the
 *   softmax of their β (over that node's edges only). Folded into each edge's weight row.
 * - Auxiliary skip (DARTS-, Chu et al. ICLR 2021): every edge adds β_skip·aux(x), aux = identity or
 *   a factorized reduce on stride-2 edges, not weighted by α; β_skip is set per epoch.
 * - Gumbel sampling (GDAS, Dong & Yang CVPR 2019, search_model_gdas.py): one op per edge drawn from
 *   Gumbel-softmax(α, τ) per forward, hard one-hot with the straight-through gradient; only the
 *   drawn op is computed.
 */
export interface MixingConfig {
  /** K of partial channel connections (null: off; 1 runs the machinery with every channel). */
  partialChannels: number | null;
  edgeNorm: boolean;
  auxSkip: boolean;
}

export const PLAIN_MIXING: MixingConfig = { partialChannels: null, edgeNorm: false, auxSkip: false };

/** Per-epoch settings the search loop writes into the supernet. */
export interface MixingState {
  /** DARTS-'s β_skip (0 when the aux skip is off). */
  auxScale: number;
  /** GDAS: τ and the noise source of the training forwards (null: no sampling). */
  sampler: { tau: number; rng: Rng } | null;
}

/** The α matrix's edge-normalisation parameters are stored beside it under this name. */
export const betaName = (alpha: string): string => `beta_${alpha}`;

/** The target node of each edge from labels such as `3<-1`, to group a node's incoming edges. */
export function nodeSegments(labels: readonly string[]): number[][] {
  const groups = new Map<string, number[]>();
  labels.forEach((l, e) => {
    const node = l.split('<-')[0];
    groups.set(node, [...(groups.get(node) ?? []), e]);
  });
  return [...groups.values()];
}

/** softmax of β within each node's incoming edges (PC-DARTS's weights2), as a [edges] vector. */
export function nodeSoftmax(beta: tf.Tensor, labels: readonly string[]): tf.Tensor1D {
  return tf.tidy(() => {
    const flat = tf.reshape(beta, [-1]) as tf.Tensor1D;
    const out: tf.Tensor[] = [];
    for (const seg of nodeSegments(labels)) out.push(tf.softmax(tf.slice(flat, [seg[0]], [seg.length])));
    return tf.concat(out) as tf.Tensor1D;
  });
}

/** The same on plain arrays (derivation reads α and β as numbers). */
export function nodeSoftmaxArray(beta: readonly number[], labels: readonly string[]): number[] {
  const out = new Array<number>(labels.length);
  for (const seg of nodeSegments(labels)) {
    const m = Math.max(...seg.map((e) => beta[e]));
    const ex = seg.map((e) => Math.exp(beta[e] - m));
    const s = ex.reduce((a, b) => a + b, 0);
    seg.forEach((e, i) => (out[e] = ex[i] / s));
  }
  return out;
}

/** One draw of standard Gumbel noise, −log(−log U), for every entry. */
export function gumbelNoise(rng: Rng, n: number): Float32Array {
  const g = new Float32Array(n);
  for (let i = 0; i < n; i++) g[i] = -Math.log(-Math.log(Math.min(Math.max(rng.next(), 1e-12), 1 - 1e-7)));
  return g;
}

export interface MixRows {
  /** [edges, ops] weights (plus one bypass column with partial channels). */
  w: tf.Tensor2D;
  /** GDAS: the op each edge computes in this forward (null: all of them). */
  selected: number[] | null;
}

/**
 * The weight rows of one α matrix for one forward. GDAS: in training, hard = one_hot(argmax(α+g)),
 * w = hard − soft + soft with soft = softmax((log_softmax(α)+g)/τ) held constant in the first
 * term (so w equals the one-hot and its gradient is soft's); in evaluation, the argmax of α.
 */
export function mixRows(a: Weights, name: string, labels: readonly string[], cfg: MixingConfig, state: MixingState, training: boolean): MixRows {
  const alpha = a[name] as tf.Tensor2D;
  const [E, K] = alpha.shape;
  let w: tf.Tensor2D;
  let selected: number[] | null = null;
  if (state.sampler) {
    const values = alpha.dataSync();
    const g = training ? gumbelNoise(state.sampler.rng, values.length) : new Float32Array(values.length);
    selected = [];
    const soft = new Float32Array(values.length);
    const hard = new Float32Array(values.length);
    for (let e = 0; e < E; e++) {
      const row = Array.from(values.subarray(e * K, (e + 1) * K));
      const m = Math.max(...row);
      const lse = m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
      const logits = row.map((v, k) => (v - lse + g[e * K + k]) / state.sampler!.tau);
      const lm = Math.max(...logits);
      const ex = logits.map((v) => Math.exp(v - lm));
      const s = ex.reduce((p, q) => p + q, 0);
      ex.forEach((v, k) => (soft[e * K + k] = v / s));
      const best = logits.indexOf(lm);
      selected.push(best);
      hard[e * K + best] = 1;
    }
    const tau = state.sampler.tau;
    const gT = tf.tensor2d(g, [E, K]);
    const live = tf.softmax(tf.div(tf.add(tf.logSoftmax(alpha, -1), gT), tau), -1);
    w = tf.add(tf.sub(tf.tensor2d(hard, [E, K]), tf.tensor2d(soft, [E, K])), live) as tf.Tensor2D;
  } else w = tf.softmax(alpha, -1) as tf.Tensor2D;
  let edgeScale: tf.Tensor2D | null = null;
  if (cfg.edgeNorm) {
    edgeScale = tf.reshape(nodeSoftmax(a[betaName(name)], labels), [E, 1]) as tf.Tensor2D;
    w = tf.mul(w, edgeScale) as tf.Tensor2D;
  }
  // The bypassed channels are scaled by the edge's β weight only (PC-DARTS weights2·MixedOp(x)).
  if (cfg.partialChannels !== null) w = tf.concat([w, edgeScale ?? tf.ones([E, 1])], 1) as tf.Tensor2D;
  return { w, selected };
}

/** PC-DARTS channel_shuffle on NHWC: channels [g0 c0, g0 c1, …] → [c0 of every group, c1 …]. */
export function channelShuffle(x: tf.Tensor4D, groups: number): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  return tf.reshape(tf.transpose(tf.reshape(x, [n, h, w, groups, c / groups]), [0, 1, 2, 4, 3]), [n, h, w, c]) as tf.Tensor4D;
}

/** The parts of an edge's output that are not the op mixture (added by supernet-edge.ts). */
export interface EdgeExtras {
  /** Partial channels: K, and the edge's stride (2: the bypass goes through a 2×2 max-pool). */
  partial?: { k: number; stride: number };
  /** DARTS-'s auxiliary op, scaled by `state.auxScale` of the shared state. */
  aux?: { op: Op; state: MixingState };
  /** GDAS: the op drawn for the current forward (set by the cell before it runs). */
  selected?: number | null;
}

/** The extras of an edge under a mixing configuration (aux op built by the caller). */
export function edgeExtras(cfg: MixingConfig, stride: number, state: MixingState, aux?: Op): EdgeExtras {
  return {
    ...(cfg.partialChannels !== null ? { partial: { k: cfg.partialChannels, stride } } : {}),
    ...(cfg.auxSkip && aux ? { aux: { op: aux, state } } : {}),
  };
}

/** The channels an edge's ops see. */
export const opChannels = (cfg: MixingConfig, C: number): number => C / (cfg.partialChannels ?? 1);

/** Checks a mixing configuration against the supernet's narrowest channel count. */
export function checkMixing(cfg: MixingConfig, C: number): void {
  const k = cfg.partialChannels;
  if (k === null) return;
  if (!Number.isInteger(k) || k < 1) throw new Error(`partial channels K must be a positive integer, got ${k}`);
  if (C % k !== 0) throw new Error(`partial channels: C=${C} is not divisible by K=${k}`);
}
