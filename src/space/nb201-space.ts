/**
 * Search-space operations on NAS-Bench-201 cells (Dong & Yang, ICLR 2020): the cell string,
 * uniform sampling, one-op mutation, uniform crossover and the one-hot encoding. Pure functions on
 * plain arrays; every random choice goes through an `Rng`.
 */
import { formatNb201Genotype, parseNb201String, validateNb201Genotype } from './genotype';
import type { Nb201Genotype } from './genotype-types';
import { NB201_EDGES, NB201_PRIMITIVES } from './primitives';
import type { Rng } from './rng';

/** (target, source) node of each edge, in the canonical edge order (1←0), (2←0), (2←1), (3←0), (3←1), (3←2). */
export const NB201_EDGE_NODES: readonly [number, number][] = [
  [1, 0],
  [2, 0],
  [2, 1],
  [3, 0],
  [3, 1],
  [3, 2],
];

const OPS: readonly string[] = NB201_PRIMITIVES;

/** Number of cells in the space: 5 ops on 6 edges = 15,625. */
export const NB201_SPACE_SIZE = OPS.length ** NB201_EDGES;

/**
 * The benchmark's cell string, e.g. `|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|...|`: the
 * search-space key of a cell. Same printer as `tfnas export --format nb201` (genotype.ts).
 */
export function nb201ToString(g: Nb201Genotype): string {
  return formatNb201Genotype(g);
}

/**
 * Parses a cell string with the same parser and checks as `--genotype` (genotype.ts); throws a
 * UsageError saying what is wrong (callers add file/row context).
 */
export function nb201FromString(s: string): Nb201Genotype {
  return parseNb201String(s);
}

/** True if `g` is a cell of the space (the checks of validateNb201Genotype, as a predicate). */
export function nb201IsValid(g: Nb201Genotype): boolean {
  try {
    validateNb201Genotype(g);
    return true;
  } catch {
    return false;
  }
}

/** Index of a cell in base-5 edge order (not the benchmark's row index, which is the table's). */
export function nb201Ordinal(g: Nb201Genotype): number {
  return g.ops.reduce((acc, op) => acc * OPS.length + OPS.indexOf(op), 0);
}

export function nb201FromOrdinal(n: number): Nb201Genotype {
  const ops: string[] = new Array(NB201_EDGES);
  for (let e = NB201_EDGES - 1; e >= 0; e--) {
    ops[e] = OPS[n % OPS.length];
    n = Math.floor(n / OPS.length);
  }
  return { ops };
}

/** Uniform over all 5^6 cells (the random baseline of the benchmark paper). */
export function nb201Sample(rng: Rng): Nb201Genotype {
  return { ops: Array.from({ length: NB201_EDGES }, () => rng.pick(OPS)) };
}

/** Replaces the op of one random edge by a different op (as the benchmark's R_EA.py mutate_arch). */
export function nb201Mutate(g: Nb201Genotype, rng: Rng): Nb201Genotype {
  const ops = g.ops.slice();
  const e = rng.int(NB201_EDGES);
  const others = OPS.filter((o) => o !== ops[e]);
  ops[e] = rng.pick(others);
  return { ops };
}

/** Uniform crossover: each edge's op from either parent with probability 1/2. */
export function nb201Crossover(a: Nb201Genotype, b: Nb201Genotype, rng: Rng): Nb201Genotype {
  return { ops: a.ops.map((op, e) => (rng.next() < 0.5 ? op : b.ops[e])) };
}

/** One-hot op per edge, edge-major: 6 × 5 = 30 features (the adjacency is fixed in this space). */
export function nb201Encode(g: Nb201Genotype): number[] {
  const v = new Array<number>(NB201_EDGES * OPS.length).fill(0);
  g.ops.forEach((op, e) => (v[e * OPS.length + OPS.indexOf(op)] = 1));
  return v;
}

/** Inverse of nb201Encode (argmax per edge, so it also decodes soft scores). */
export function nb201Decode(v: readonly number[]): Nb201Genotype {
  if (v.length !== NB201_EDGES * OPS.length) throw new Error(`NAS-Bench-201 encoding needs ${NB201_EDGES * OPS.length} values, got ${v.length}`);
  const ops: string[] = [];
  for (let e = 0; e < NB201_EDGES; e++) ops.push(OPS[argmax(v.slice(e * OPS.length, (e + 1) * OPS.length))]);
  return { ops };
}

export function argmax(v: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
  return best;
}
