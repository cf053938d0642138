/**
 * Search-space operations on DARTS-space genotypes (Liu et al., ICLR 2019): two distinct inputs per
 * intermediate node, non-`none` ops (what derivation can produce), sampling, mutation of one op or
 * one input, node-wise crossover, and encodings. Pure functions; randomness through `Rng`.
 */
import { DARTS_CELL_OPS, validateDartsGenotype } from './genotype';
import type { DartsGenotype, GenotypeEdge } from './genotype-types';
import { DARTS_STEPS, DARTS_EDGES } from './primitives';
import type { Rng } from './rng';
import { argmax } from './nb201-space';

// The ops a derived DARTS cell may use: every primitive but `none` (as in the reference's parse()).
export { DARTS_CELL_OPS };
const CELLS = ['normal', 'reduce'] as const;
const CONCAT = Array.from({ length: DARTS_STEPS }, (_, k) => k + 2);

/** Index of edge (node k ← input j) among the 14 edges of a cell: nodes in order, inputs ascending. */
export function dartsEdgeIndex(k: number, j: number): number {
  return (k * (k + 3)) / 2 + j;
}

function canonicalCell(edges: GenotypeEdge[]): GenotypeEdge[] {
  const out: GenotypeEdge[] = [];
  for (let k = 0; k < DARTS_STEPS; k++) {
    const pair = [edges[2 * k], edges[2 * k + 1]].map((e) => [e[0], e[1]] as GenotypeEdge);
    pair.sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0]));
    out.push(...pair);
  }
  return out;
}

/** The same cell with each node's two edges ordered by input (edge order within a node carries no meaning). */
export function dartsCanonical(g: DartsGenotype): DartsGenotype {
  return { normal: canonicalCell(g.normal), normal_concat: CONCAT.slice(), reduce: canonicalCell(g.reduce), reduce_concat: CONCAT.slice() };
}

/**
 * True if `g` is a member of the space: a genotype `validateDartsGenotype` accepts (non-`none` ops,
 * inputs in range, 8 edges per cell, concat of intermediate nodes) whose nodes each take two
 * distinct inputs, as derivation always produces (the top-2 of distinct incoming edges).
 */
export function dartsIsValid(g: DartsGenotype): boolean {
  try {
    validateDartsGenotype(g);
  } catch {
    return false;
  }
  return CELLS.every((cell) => Array.from({ length: DARTS_STEPS }, (_, k) => k).every((k) => g[cell][2 * k][1] !== g[cell][2 * k + 1][1]));
}

/** Compact one-line key, e.g. `normal=sep_conv_3x3~0,sep_conv_3x3~1,...;reduce=...` (canonical form). */
export function dartsToKey(g: DartsGenotype): string {
  const c = dartsCanonical(g);
  return CELLS.map((cell) => `${cell}=${c[cell].map(([op, j]) => `${op}~${j}`).join(',')}`).join(';');
}

export function dartsFromKey(key: string): DartsGenotype {
  const parts = key.split(';');
  const cells: Record<string, GenotypeEdge[]> = {};
  for (const part of parts) {
    const [name, body] = part.split('=');
    if (!CELLS.includes(name as (typeof CELLS)[number]) || body === undefined) throw new Error(`bad DARTS genotype key "${key}"`);
    cells[name] = body.split(',').map((e) => {
      const [op, j] = e.split('~');
      return [op, Number(j)] as GenotypeEdge;
    });
  }
  const g: DartsGenotype = { normal: cells.normal, normal_concat: CONCAT.slice(), reduce: cells.reduce, reduce_concat: CONCAT.slice() };
  if (!cells.normal || !cells.reduce || !dartsIsValid(g)) throw new Error(`bad DARTS genotype key "${key}"`);
  return g;
}

function sampleCell(rng: Rng): GenotypeEdge[] {
  const edges: GenotypeEdge[] = [];
  for (let k = 0; k < DARTS_STEPS; k++) {
    const inputs = rng.shuffle(Array.from({ length: k + 2 }, (_, j) => j)).slice(0, 2);
    for (const j of inputs) edges.push([rng.pick(DARTS_CELL_OPS), j]);
  }
  return canonicalCell(edges);
}

/** Uniform: for each node two distinct inputs, each with a uniform non-`none` op. */
export function dartsSample(rng: Rng): DartsGenotype {
  const normal = sampleCell(rng);
  const reduce = sampleCell(rng);
  return { normal, normal_concat: CONCAT.slice(), reduce, reduce_concat: CONCAT.slice() };
}

/** Changes one op or one input of one edge (an input only to one the node does not already use). */
export function dartsMutate(g: DartsGenotype, rng: Rng): DartsGenotype {
  const c = dartsCanonical(g);
  const cell = rng.pick(CELLS);
  const edges = c[cell];
  const e = rng.int(edges.length);
  const k = Math.floor(e / 2);
  const other = edges[e ^ 1][1];
  const freeInputs = Array.from({ length: k + 2 }, (_, j) => j).filter((j) => j !== other && j !== edges[e][1]);
  if (rng.next() < 0.5 && freeInputs.length > 0) edges[e] = [edges[e][0], rng.pick(freeInputs)];
  else edges[e] = [rng.pick(DARTS_CELL_OPS.filter((o) => o !== edges[e][0])), edges[e][1]];
  return dartsCanonical(c);
}

/** Node-wise uniform crossover: each node keeps both of its edges from one parent, so inputs stay distinct. */
export function dartsCrossover(a: DartsGenotype, b: DartsGenotype, rng: Rng): DartsGenotype {
  const [ca, cb] = [dartsCanonical(a), dartsCanonical(b)];
  const child = dartsCanonical(a);
  for (const cell of CELLS) {
    for (let k = 0; k < DARTS_STEPS; k++) {
      const src = rng.next() < 0.5 ? ca : cb;
      child[cell][2 * k] = [...src[cell][2 * k]] as GenotypeEdge;
      child[cell][2 * k + 1] = [...src[cell][2 * k + 1]] as GenotypeEdge;
    }
  }
  return child;
}

/** Adjacency × op one-hot: for each cell, each of the 14 possible edges, 7 op slots (all 0 = edge absent); 196 features. */
export function dartsEncode(g: DartsGenotype): number[] {
  const width = DARTS_EDGES * DARTS_CELL_OPS.length;
  const v = new Array<number>(CELLS.length * width).fill(0);
  CELLS.forEach((cell, c) => {
    g[cell].forEach(([op, j], e) => {
      const edge = dartsEdgeIndex(Math.floor(e / 2), j);
      v[c * width + edge * DARTS_CELL_OPS.length + DARTS_CELL_OPS.indexOf(op)] = 1;
    });
  });
  return v;
}

/** Inverse of dartsEncode: per node, the two inputs with the strongest op score and that op. */
export function dartsDecode(v: readonly number[]): DartsGenotype {
  const width = DARTS_EDGES * DARTS_CELL_OPS.length;
  if (v.length !== CELLS.length * width) throw new Error(`DARTS encoding needs ${CELLS.length * width} values, got ${v.length}`);
  const cells = CELLS.map((_, c) => {
    const edges: GenotypeEdge[] = [];
    for (let k = 0; k < DARTS_STEPS; k++) {
      const scored = Array.from({ length: k + 2 }, (_, j) => {
        const at = c * width + dartsEdgeIndex(k, j) * DARTS_CELL_OPS.length;
        const ops = v.slice(at, at + DARTS_CELL_OPS.length);
        const o = argmax(ops);
        return { j, op: DARTS_CELL_OPS[o], s: ops[o] };
      });
      scored.sort((x, y) => y.s - x.s || x.j - y.j);
      edges.push([scored[0].op, scored[0].j], [scored[1].op, scored[1].j]);
    }
    return canonicalCell(edges);
  });
  return { normal: cells[0], normal_concat: CONCAT.slice(), reduce: cells[1], reduce_concat: CONCAT.slice() };
}

/**
 * Token sequence (NAO's architecture string): per cell, per node, (input a, op a, input b, op b)
 * with a < b; 32 tokens. `dartsTokenVocab` gives each position's vocabulary size.
 */
export function dartsTokens(g: DartsGenotype): number[] {
  const c = dartsCanonical(g);
  const out: number[] = [];
  for (const cell of CELLS) for (const [op, j] of c[cell]) out.push(j, DARTS_CELL_OPS.indexOf(op));
  return out;
}

export const DARTS_TOKEN_VOCAB: readonly number[] = CELLS.flatMap(() =>
  Array.from({ length: DARTS_STEPS }, (_, k) => [k + 2, DARTS_CELL_OPS.length, k + 2, DARTS_CELL_OPS.length]).flat(),
);

/** Decodes per-position scores (e.g. decoder logits) to the best valid genotype: argmax, with the second input forced distinct. */
export function dartsFromTokenScores(scores: readonly (readonly number[])[]): DartsGenotype {
  const cells = CELLS.map((_, c) => {
    const edges: GenotypeEdge[] = [];
    for (let k = 0; k < DARTS_STEPS; k++) {
      const at = c * DARTS_STEPS * 4 + k * 4;
      const ia = argmax(scores[at]);
      const sb = scores[at + 2].map((s, j) => (j === ia ? -Infinity : s));
      edges.push([DARTS_CELL_OPS[argmax(scores[at + 1])], ia], [DARTS_CELL_OPS[argmax(scores[at + 3])], argmax(sb)]);
    }
    return canonicalCell(edges);
  });
  return { normal: cells[0], normal_concat: CONCAT.slice(), reduce: cells[1], reduce_concat: CONCAT.slice() };
}
