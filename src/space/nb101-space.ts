/**
 * Search-space operations on NAS-Bench-101 cells: sampling as the official notebook does, the
 * NAS-Bench-101 paper's REA mutation (one edge flip or one op change, resampled until valid),
 * uniform crossover, the adjacency + one-hot encoding, the path encoding of BANANAS (White et al.,
 * AAAI 2021) and NAO's token sequence. Genotypes keep the vertices that pruning drops, as the
 * official REA mutates `original_matrix`: a later flip can reconnect them. Pure functions; every
 * random choice goes through an `Rng`.
 */
import type { Nb101Genotype } from './genotype-types';
import { argmax } from './nb201-space';
import { NB101_INPUT, NB101_MAX_EDGES, NB101_MAX_VERTICES, NB101_OPS, NB101_OUTPUT, nb101Check, nb101EdgeCount, nb101HashPruned, nb101IsValid, nb101Prune, nb101Shape } from './nb101-spec';
import type { Rng } from './rng';

const V = NB101_MAX_VERTICES;
const OPS: readonly string[] = NB101_OPS;
/** The upper-triangle slots (i < j) of a 7-vertex matrix, row by row: 21. */
export const NB101_EDGE_SLOTS: readonly [number, number][] = Array.from({ length: V }, (_, i) => Array.from({ length: V - i - 1 }, (_, k) => [i, i + 1 + k] as [number, number])).flat();
const INNER = V - 2;

/**
 * The same cell on 7 vertices: a smaller one gets isolated vertices (pruned away, so the
 * architecture and hash are unchanged) before its output, so every cell has one encoding length.
 */
export function nb101Pad(g: Nb101Genotype): Nb101Genotype {
  const n = g.ops.length;
  if (n >= V) return { matrix: g.matrix.map((r) => r.slice()), ops: g.ops.slice() };
  const at = (v: number) => (v < n - 1 ? v : v === V - 1 ? n - 1 : -1);
  const matrix = Array.from({ length: V }, (_, a) => Array.from({ length: V }, (_, b) => (at(a) >= 0 && at(b) >= 0 ? g.matrix[at(a)][at(b)] : 0)));
  const ops = Array.from({ length: V }, (_, v) => (at(v) >= 0 ? g.ops[at(v)] : OPS[0]));
  return { matrix, ops };
}

/** Key: the official file's raw form, the matrix's V·V digits row by row, `|`, the ops joined by commas. */
export function nb101ToKey(g: Nb101Genotype): string {
  return `${g.matrix.map((r) => r.join('')).join('')}|${g.ops.join(',')}`;
}

export function nb101FromKey(key: string): Nb101Genotype {
  const [digits, ops] = key.split('|');
  const n = Math.round(Math.sqrt(digits?.length ?? 0));
  if (ops === undefined || n * n !== digits.length || !/^[01]+$/.test(digits)) throw new Error(`bad NAS-Bench-101 key "${key}"`);
  const g = nb101Shape({ matrix: Array.from({ length: n }, (_, i) => Array.from(digits.slice(i * n, (i + 1) * n), Number)), ops: ops.split(',') });
  nb101Check(g);
  return g;
}

/** As the official notebook's random_spec: each upper-triangle entry 0/1 and each op uniform, until valid. */
export function nb101Sample(rng: Rng): Nb101Genotype {
  for (;;) {
    const matrix = Array.from({ length: V }, (_, i) => Array.from({ length: V }, (_, j) => (j > i && rng.next() < 0.5 ? 1 : 0)));
    const ops = Array.from({ length: V }, (_, v) => (v === 0 ? NB101_INPUT : v === V - 1 ? NB101_OUTPUT : rng.pick(OPS)));
    const g = { matrix, ops };
    if (nb101IsValid(g)) return g;
  }
}

function hashOf(g: Nb101Genotype): string {
  return nb101HashPruned(nb101Prune(g)!);
}

/** One edge flip or one op change (each half the time), uniform over the slots. */
function mutateOnce(g: Nb101Genotype, rng: Rng): Nb101Genotype {
  const c = { matrix: g.matrix.map((r) => r.slice()), ops: g.ops.slice() };
  if (rng.next() < 0.5) {
    const [i, j] = rng.pick(NB101_EDGE_SLOTS);
    c.matrix[i][j] = 1 - c.matrix[i][j];
  } else {
    const v = 1 + rng.int(INNER);
    c.ops[v] = rng.pick(OPS.filter((o) => o !== c.ops[v]));
  }
  return c;
}

/**
 * The NAS-Bench-101 paper's REA mutation: one edge flip or one op change, resampled until the cell
 * is valid and (so that no query is spent on the parent again) is another architecture (another
 * hash). A cell whose every single change is invalid or pruned away (input wired straight to the
 * output, nothing else connected) takes the first valid change instead.
 */
export function nb101Mutate(g: Nb101Genotype, rng: Rng): Nb101Genotype {
  const parent = nb101Pad(g);
  const before = hashOf(parent);
  let fallback: Nb101Genotype | null = null;
  for (let t = 0; t < 200; t++) {
    const c = mutateOnce(parent, rng);
    if (!nb101IsValid(c)) continue;
    if (hashOf(c) !== before) return c;
    fallback ??= c;
  }
  return fallback ?? parent;
}

/** Uniform crossover of the 21 edge slots and 5 ops, resampled until valid (else the first parent). */
export function nb101Crossover(a: Nb101Genotype, b: Nb101Genotype, rng: Rng): Nb101Genotype {
  const [pa, pb] = [nb101Pad(a), nb101Pad(b)];
  for (let t = 0; t < 100; t++) {
    const matrix = pa.matrix.map((r) => r.slice());
    for (const [i, j] of NB101_EDGE_SLOTS) if (rng.next() < 0.5) matrix[i][j] = pb.matrix[i][j];
    const ops = pa.ops.map((op, v) => (v > 0 && v < V - 1 && rng.next() < 0.5 ? pb.ops[v] : op));
    const c = { matrix, ops };
    if (nb101IsValid(c)) return c;
  }
  return pa;
}

/** Adjacency + one-hot ops (naszilla's "adjacency" encoding): 21 edge bits, then 5 × 3 op slots; 36 features. */
export function nb101Encode(g: Nb101Genotype): number[] {
  const p = nb101Pad(g);
  const ops = p.ops.slice(1, -1).flatMap((op) => OPS.map((o) => (o === op ? 1 : 0)));
  return [...NB101_EDGE_SLOTS.map(([i, j]) => p.matrix[i][j]), ...ops];
}

/** The best path input → output by summed edge score (longest path in the DAG of slots). */
function bestPath(score: readonly number[]): [number, number][] {
  const best = new Array<number>(V).fill(-Infinity);
  const via = new Array<number>(V).fill(-1);
  best[0] = 0;
  NB101_EDGE_SLOTS.forEach(([i, j], e) => {
    if (best[i] + score[e] > best[j]) {
      best[j] = best[i] + score[e];
      via[j] = i;
    }
  });
  const path: [number, number][] = [];
  for (let v = V - 1; v > 0; v = via[v]) path.push([via[v], v]);
  return path;
}

/**
 * The valid cell closest to per-slot edge scores (> 0: edge wanted) and op choices: the wanted
 * edges if they make a valid cell; else the best-scoring input→output path, then the other edges
 * by decreasing score wherever they keep the cell valid.
 */
export function nb101FromScores(edgeScore: readonly number[], ops: readonly string[]): Nb101Genotype {
  const empty = () => Array.from({ length: V }, () => new Array<number>(V).fill(0));
  const full = [NB101_INPUT, ...ops, NB101_OUTPUT];
  const wanted = { matrix: empty(), ops: full };
  NB101_EDGE_SLOTS.forEach(([i, j], e) => (wanted.matrix[i][j] = edgeScore[e] > 0 ? 1 : 0));
  if (nb101IsValid(wanted)) return wanted;
  const g = { matrix: empty(), ops: full };
  for (const [i, j] of bestPath(edgeScore)) g.matrix[i][j] = 1;
  const order = NB101_EDGE_SLOTS.map((_, e) => e).sort((x, y) => edgeScore[y] - edgeScore[x] || x - y);
  for (const e of order) {
    const [i, j] = NB101_EDGE_SLOTS[e];
    if (edgeScore[e] <= 0 || g.matrix[i][j] || nb101EdgeCount(g.matrix) >= NB101_MAX_EDGES) continue;
    g.matrix[i][j] = 1;
    if (!nb101IsValid(g)) g.matrix[i][j] = 0;
  }
  return g;
}

/** Inverse of nb101Encode; arbitrary values decode to the closest valid cell (edge if > 0.5, op by argmax). */
export function nb101Decode(v: readonly number[]): Nb101Genotype {
  const E = NB101_EDGE_SLOTS.length;
  if (v.length !== E + INNER * OPS.length) throw new Error(`NAS-Bench-101 encoding needs ${E + INNER * OPS.length} values, got ${v.length}`);
  const ops = Array.from({ length: INNER }, (_, k) => OPS[argmax(v.slice(E + k * OPS.length, E + (k + 1) * OPS.length))]);
  return nb101FromScores(v.slice(0, E).map((x) => x - 0.5), ops);
}

/** NAO's token sequence: the 21 edge bits, then the 5 ops' indices. */
export function nb101Tokens(g: Nb101Genotype): number[] {
  const p = nb101Pad(g);
  return [...NB101_EDGE_SLOTS.map(([i, j]) => p.matrix[i][j]), ...p.ops.slice(1, -1).map((op) => OPS.indexOf(op))];
}

export const NB101_TOKEN_VOCAB: readonly number[] = [...NB101_EDGE_SLOTS.map(() => 2), ...new Array<number>(INNER).fill(OPS.length)];

export function nb101FromTokenScores(scores: readonly (readonly number[])[]): Nb101Genotype {
  const E = NB101_EDGE_SLOTS.length;
  const ops = scores.slice(E).map((s) => OPS[argmax(s)]);
  return nb101FromScores(scores.slice(0, E).map((s) => s[1] - s[0]), ops);
}

/** Number of distinct input→output paths through up to 5 ops of 3 kinds: 3^0 + … + 3^5 = 364. */
export const NB101_PATHS = (OPS.length ** (INNER + 1) - 1) / (OPS.length - 1);

/**
 * The path encoding of BANANAS (White et al., AAAI 2021): one feature per possible sequence of ops
 * along an input→output path, 1 if the cell has such a path. A path's ops number it in bijective
 * base 3 (the empty path is 0, single ops 1–3, pairs 4–12, …), as naszilla's path indices.
 */
export function nb101PathEncoding(g: Nb101Genotype): number[] {
  const p = nb101Prune(g);
  const v = new Array<number>(NB101_PATHS).fill(0);
  if (!p) return v;
  const n = p.ops.length;
  const walk = (at: number, index: number, scale: number) => {
    for (let w = at + 1; w < n; w++) {
      if (!p.matrix[at][w]) continue;
      if (w === n - 1) v[index] = 1;
      else walk(w, index + scale * (OPS.indexOf(p.ops[w]) + 1), scale * OPS.length);
    }
  };
  walk(0, 0, 1);
  return v;
}
