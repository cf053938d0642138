/**
 * Deriving a discrete cell from architecture weights, on plain arrays (no tensors), exactly as the
 * reference implementations do:
 * - DARTS: quark0/darts cnn/model_search.py `Network.genotype()` / `_parse`.
 * - NAS-Bench-201: D-X-Y/AutoDL-Projects xautodl/models/cell_searchs/search_model_darts.py
 *   `TinyNetworkDarts.genotype()`.
 */
import type { DartsGenotype, GenotypeEdge, Nb201Genotype } from './genotype-types';
import { DARTS_PRIMITIVES, DARTS_STEPS, NB201_EDGES, NB201_PRIMITIVES } from './primitives';

/** Row-wise softmax (numerically stable: the row maximum is subtracted first). */
export function softmax(rows: readonly (readonly number[])[]): number[][] {
  return rows.map((row) => {
    const m = Math.max(...row);
    const e = row.map((x) => Math.exp(x - m));
    const s = e.reduce((a, b) => a + b, 0);
    return e.map((x) => x / s);
  });
}

function checkMatrix(w: readonly (readonly number[])[], rows: number, cols: number, what: string): void {
  if (w.length !== rows) throw new Error(`${what}: expected ${rows} rows (one per edge), got ${w.length}`);
  w.forEach((row, r) => {
    if (row.length !== cols) throw new Error(`${what}: row ${r} has ${row.length} entries, expected ${cols} (one per op)`);
    row.forEach((x, c) => {
      if (!Number.isFinite(x)) throw new Error(`${what}: entry [${r}][${c}] is ${x}, expected a finite number`);
    });
  });
}

export interface DartsDeriveOptions {
  /** Intermediate nodes per cell (default 4). */
  steps?: number;
  /** How many of the last nodes the cell concatenates (default 4, so concat = [2, 3, 4, 5]). */
  multiplier?: number;
  /** Column order of the weights (default DARTS_PRIMITIVES). */
  primitives?: readonly string[];
}

/**
 * One DARTS cell from its softmax weights (rows = edges in the supernet's order, node by node:
 * node 0 ← inputs 0, 1; node 1 ← 0, 1, 2; …; columns = `primitives`). For each intermediate node,
 * the two incoming edges whose strongest non-`none` op weighs most are kept, strongest first (ties:
 * the lower input index first, as Python's stable `sorted` gives), each with its strongest
 * non-`none` op (ties: the first in column order). Pass softmax weights, not raw α: edges are
 * compared across rows, and the per-row normalisation changes that comparison.
 */
export function deriveDartsCell(weights: readonly (readonly number[])[], opts: DartsDeriveOptions = {}): GenotypeEdge[] {
  const steps = opts.steps ?? DARTS_STEPS;
  const prims = opts.primitives ?? DARTS_PRIMITIVES;
  const none = prims.indexOf('none');
  checkMatrix(weights, (steps * (steps + 3)) / 2, prims.length, 'deriveDartsCell');
  const bestOp = (row: readonly number[]): number => {
    let best = -1;
    row.forEach((x, k) => {
      if (k !== none && (best < 0 || x > row[best])) best = k;
    });
    return best;
  };
  const gene: GenotypeEdge[] = [];
  let start = 0;
  for (let i = 0; i < steps; i++) {
    const n = i + 2;
    const rows = weights.slice(start, start + n);
    const strength = rows.map((row) => row[bestOp(row)]);
    // Stable sort by decreasing strength (Array.prototype.sort is stable since ES2019).
    const edges = [...Array(n).keys()].sort((a, b) => strength[b] - strength[a]).slice(0, 2);
    for (const j of edges) gene.push([prims[bestOp(rows[j])], j]);
    start += n;
  }
  return gene;
}

/** The DARTS genotype from the normal and reduction cells' softmax weights (see deriveDartsCell). */
export function deriveDartsGenotype(
  normal: readonly (readonly number[])[],
  reduce: readonly (readonly number[])[],
  opts: DartsDeriveOptions = {},
): DartsGenotype {
  const steps = opts.steps ?? DARTS_STEPS;
  const multiplier = opts.multiplier ?? 4;
  if (!Number.isInteger(multiplier) || multiplier < 1 || multiplier > steps) {
    throw new Error(`deriveDartsGenotype: multiplier must be an integer in 1..${steps}, got ${multiplier}`);
  }
  // concat = range(2 + steps - multiplier, steps + 2), as in the reference.
  const concat = Array.from({ length: multiplier }, (_, k) => 2 + steps - multiplier + k);
  return {
    normal: deriveDartsCell(normal, opts),
    normal_concat: concat,
    reduce: deriveDartsCell(reduce, opts),
    reduce_concat: [...concat],
  };
}

export interface Nb201DeriveOptions {
  /**
   * Skip `none` when choosing an edge's op. Default false: the reference NB201 DARTS takes the
   * argmax over all five ops, `none` included (which is how DARTS can end with empty edges there).
   */
  excludeNone?: boolean;
  /** Column order of the weights (default NB201_PRIMITIVES). */
  primitives?: readonly string[];
}

/**
 * The NB201 cell: one op per edge, the argmax of its row (ties: the first column, as torch's
 * argmax). Rows are the six edges in the order (1←0), (2←0), (2←1), (3←0), (3←1), (3←2). The
 * argmax is the same for raw α and its softmax, so either may be passed.
 */
export function deriveNb201Genotype(weights: readonly (readonly number[])[], opts: Nb201DeriveOptions = {}): Nb201Genotype {
  const prims = opts.primitives ?? NB201_PRIMITIVES;
  checkMatrix(weights, NB201_EDGES, prims.length, 'deriveNb201Genotype');
  const skip = opts.excludeNone ? prims.indexOf('none') : -1;
  return {
    ops: weights.map((row) => {
      let best = -1;
      row.forEach((x, k) => {
        if (k !== skip && (best < 0 || x > row[best])) best = k;
      });
      return prims[best];
    }),
  };
}
