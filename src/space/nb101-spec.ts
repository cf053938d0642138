/**
 * NAS-Bench-101 cells as data (Ying et al., ICML 2019; google-research/nasbench): the rules of the
 * space, pruning, validity as the official API checks it, and the official module hash. Pure
 * functions on plain arrays (the hash uses Node's MD5, as the official code uses hashlib's).
 */
import { createHash } from 'crypto';
import { UsageError } from '../io/errors';
import type { Nb101Genotype } from './genotype-types';

/** The ops in the official config's `available_ops` order: the hash labels each op by its index here. */
export const NB101_OPS = ['conv3x3-bn-relu', 'conv1x1-bn-relu', 'maxpool3x3'] as const;
export const NB101_INPUT = 'input';
export const NB101_OUTPUT = 'output';
/** config.py `module_vertices` and `max_edges`. */
export const NB101_MAX_VERTICES = 7;
export const NB101_MAX_EDGES = 9;

const show = (x: unknown) => JSON.stringify(x) ?? String(x);

/**
 * Checks the form of a spec (what the official `ModelSpec` constructor requires, plus 0/1 entries):
 * a square matrix, one op per vertex, zero on and below the diagonal. Returns a clean copy.
 */
export function nb101Shape(g: unknown): Nb101Genotype {
  const rec = (typeof g === 'object' && g !== null ? g : {}) as Record<string, unknown>;
  const { matrix, ops } = rec;
  if (!Array.isArray(matrix) || !Array.isArray(ops)) {
    throw new UsageError(`genotype: expected a NAS-Bench-101 cell {"matrix": [[0/1 rows]], "ops": ["input", …, "output"]}, got ${show(g).slice(0, 120)}`);
  }
  const n = matrix.length;
  if (n < 2) throw new UsageError(`genotype: matrix has ${n} rows; a NAS-Bench-101 cell has at least the input and the output vertex`);
  matrix.forEach((row: unknown, i) => {
    if (!Array.isArray(row) || row.length !== n) throw new UsageError(`genotype: matrix must be square: row ${i} has ${Array.isArray(row) ? row.length : show(row)} entries, expected ${n}`);
    row.forEach((x: unknown, j) => {
      if (x !== 0 && x !== 1) throw new UsageError(`genotype: matrix[${i}][${j}] = ${show(x)}; entries must be 0 or 1`);
      if (x === 1 && j <= i) throw new UsageError(`genotype: matrix must be upper triangular (edges only from a vertex to a later one), but matrix[${i}][${j}] = 1`);
    });
  });
  if (ops.length !== n) throw new UsageError(`genotype: ops has ${ops.length} entries, but the matrix has ${n} vertices (one op per vertex)`);
  ops.forEach((op: unknown, i) => {
    if (typeof op !== 'string') throw new UsageError(`genotype: ops[${i}] = ${show(op)} is not an op name`);
  });
  return { matrix: (matrix as number[][]).map((r) => r.slice()), ops: (ops as string[]).slice() };
}

export function nb101EdgeCount(matrix: readonly (readonly number[])[]): number {
  return matrix.reduce((a, row) => a + row.reduce((b, x) => b + x, 0), 0);
}

/** Vertices reachable from `start` following edges forwards (dir 1) or backwards (dir -1). */
function reach(matrix: readonly (readonly number[])[], start: number, dir: 1 | -1): Set<number> {
  const seen = new Set([start]);
  const stack = [start];
  while (stack.length) {
    const v = stack.pop()!;
    for (let w = 0; w < matrix.length; w++) {
      const edge = dir === 1 ? matrix[v][w] : matrix[w][v];
      if (edge && !seen.has(w)) {
        seen.add(w);
        stack.push(w);
      }
    }
  }
  return seen;
}

/**
 * The official pruning: keeps the vertices on some input→output path (reachable from the input
 * and reaching the output), in their order. Null when the input does not reach the output.
 */
export function nb101Prune(g: Nb101Genotype): Nb101Genotype | null {
  const n = g.matrix.length;
  const fromIn = reach(g.matrix, 0, 1);
  const toOut = reach(g.matrix, n - 1, -1);
  const keep = Array.from({ length: n }, (_, v) => v).filter((v) => fromIn.has(v) && toOut.has(v));
  if (!keep.includes(0) || !keep.includes(n - 1) || !fromIn.has(n - 1)) return null;
  return { matrix: keep.map((a) => keep.map((b) => g.matrix[a][b])), ops: keep.map((v) => g.ops[v]) };
}

/**
 * What makes a well-formed cell invalid by the official API's rules (`NASBench._check_spec`, on the
 * pruned cell): the input must reach the output; at most 7 vertices and 9 edges once pruned;
 * `input` first, `output` last, and the ops between from conv3x3-bn-relu, conv1x1-bn-relu,
 * maxpool3x3. Null when valid. Not an exception: the searchers test thousands of candidates.
 */
function ruleBroken(spec: Nb101Genotype, pruned: Nb101Genotype | null): string | null {
  if (!pruned) return 'the input is not connected to the output (no input→output path), so the cell computes nothing';
  const v = pruned.ops.length;
  if (v > NB101_MAX_VERTICES) return `too many vertices: ${v} after pruning (at most ${NB101_MAX_VERTICES}, input and output included)`;
  const e = nb101EdgeCount(pruned.matrix);
  if (e > NB101_MAX_EDGES) return `too many edges: ${e} after pruning (at most ${NB101_MAX_EDGES})`;
  if (pruned.ops[0] !== NB101_INPUT) return `ops[0] must be "input", got ${show(pruned.ops[0])}`;
  if (pruned.ops[v - 1] !== NB101_OUTPUT) return `the last op must be "output", got ${show(pruned.ops[v - 1])}`;
  // As the official check, only the ops that survive pruning count; the message names the vertex as given.
  const kept = new Set(pruned.ops.slice(1, -1));
  const bad = spec.ops.findIndex((op, i) => i > 0 && i < spec.ops.length - 1 && kept.has(op) && !(NB101_OPS as readonly string[]).includes(op));
  if (bad >= 0) return `ops[${bad}]: unknown op ${show(spec.ops[bad])}; expected one of ${NB101_OPS.join(', ')}`;
  return null;
}

/** Checks a cell (form, then the official rules); throws a UsageError naming the rule broken; returns the pruned cell. */
export function nb101Check(g: unknown): Nb101Genotype {
  const spec = nb101Shape(g);
  const pruned = nb101Prune(spec);
  const broken = ruleBroken(spec, pruned);
  if (broken) throw new UsageError(`genotype: ${broken}`);
  return pruned!;
}

/** True if a well-formed cell (as the searchers make them) is in the space. */
export function nb101IsValid(g: Nb101Genotype): boolean {
  return ruleBroken(g, nb101Prune(g)) === null;
}

const md5 = (s: string) => createHash('md5').update(s, 'utf8').digest('hex');

/**
 * The official module hash (`ModelSpec.hash_spec` → `graph_util.hash_module`) of a pruned cell:
 * each vertex starts from the MD5 of Python's `str((out_degree, in_degree, label))` (label -1 for
 * the input, -2 for the output, else the op's index in NB101_OPS); then, V times, becomes the MD5
 * of its sorted in-neighbour hashes, `|`, its sorted out-neighbour hashes, `|`, its own hash; the
 * result is the MD5 of Python's `str(sorted(hashes))`. Invariant to relabelling the vertices.
 */
export function nb101HashPruned(p: Nb101Genotype): string {
  const n = p.matrix.length;
  const label = (v: number) => (v === 0 ? -1 : v === n - 1 ? -2 : NB101_OPS.indexOf(p.ops[v] as (typeof NB101_OPS)[number]));
  const inDeg = (v: number) => p.matrix.reduce((a, row) => a + row[v], 0);
  const outDeg = (v: number) => p.matrix[v].reduce((a, x) => a + x, 0);
  let hashes = Array.from({ length: n }, (_, v) => md5(`(${outDeg(v)}, ${inDeg(v)}, ${label(v)})`));
  for (let step = 0; step < n; step++) {
    hashes = hashes.map((h, v) => {
      const ins = hashes.filter((_, w) => p.matrix[w][v]).sort();
      const outs = hashes.filter((_, w) => p.matrix[v][w]).sort();
      return md5(`${ins.join('')}|${outs.join('')}|${h}`);
    });
  }
  return md5(`[${hashes.slice().sort().map((h) => `'${h}'`).join(', ')}]`);
}

/** The official hash of a valid cell (pruned first, as the API does); throws naming the broken rule. */
export function nb101Hash(g: unknown): string {
  return nb101HashPruned(nb101Check(g));
}
