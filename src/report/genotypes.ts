/**
 * What the report derives from the genotype column of a search log, on plain data: the cell of
 * each epoch, its skip-connection count, the epochs where it changed, and readable edge names.
 */
import { type AnyGenotype, parseGenotypeText } from '../space/genotype';

/** The cell types of a space with their genotype edge lists. */
export function cellOps(g: AnyGenotype): Record<string, string[]> {
  if (g.space === 'nb201') return { cell: [...g.genotype.ops] };
  // NAS-Bench-101: the ops, then the adjacency row by row (a change to either is a changed cell).
  if (g.space === 'nb101') return { cell: [...g.genotype.ops, ...g.genotype.matrix.map((row) => row.join(''))] };
  return { normal: g.genotype.normal.map((e) => `${e[0]}@${e[1]}`), reduce: g.genotype.reduce.map((e) => `${e[0]}@${e[1]}`) };
}

/** Skip connections in each cell type of the genotype. */
export function skipCounts(g: AnyGenotype): Record<string, number> {
  const ops = cellOps(g);
  return Object.fromEntries(Object.entries(ops).map(([cell, list]) => [cell, list.filter((o) => o.startsWith('skip_connect')).length]));
}

/** How many edges differ between two genotypes of the same space. */
export function changedEdges(a: AnyGenotype, b: AnyGenotype): number {
  const oa = Object.values(cellOps(a)).flat();
  const ob = Object.values(cellOps(b)).flat();
  return oa.filter((x, i) => x !== ob[i]).length;
}

export interface EpochCell {
  epoch: number;
  genotype: AnyGenotype;
  /** Edges that differ from the previous epoch's cell (0 for the first epoch). */
  changed: number;
}

/** The derived cell of every epoch that has one (log rows with a parsable genotype column). */
export function epochCells(log: readonly Record<string, string>[]): EpochCell[] {
  const out: EpochCell[] = [];
  for (const row of log) {
    if (!row.genotype) continue;
    const genotype = parseGenotypeText(row.genotype);
    const prev = out[out.length - 1];
    out.push({ epoch: Number(row.epoch), genotype, changed: prev ? changedEdges(prev.genotype, genotype) : 0 });
  }
  return out;
}

/** The first epoch's cell, every cell that differs from the epoch before, and the final cell. */
export function cellChanges(cells: readonly EpochCell[]): EpochCell[] {
  return cells.filter((c, i) => i === 0 || c.changed > 0 || i === cells.length - 1);
}

/** At most `n` items (n ≥ 2): the first, the last and evenly spaced ones between. */
export function pickEvenly<T>(items: readonly T[], n: number): T[] {
  if (items.length <= n) return [...items];
  const idx = new Set(Array.from({ length: n }, (_, k) => Math.round((k * (items.length - 1)) / (n - 1))));
  return [...idx].sort((a, b) => a - b).map((i) => items[i]);
}

/**
 * A readable name of an alphas.csv edge `i<-j`. DARTS: node i ≥ 2 is intermediate node i-2, input
 * j is c_{k-2}, c_{k-1} or intermediate node j-2, as in the cell diagrams. NB201: nodes 0…3.
 */
export function edgeName(space: string, edge: string): string {
  const m = /^(\d+)<-(\d+)$/.exec(edge);
  if (!m) return edge;
  const [to, from] = [Number(m[1]), Number(m[2])];
  if (space === 'nb201') return `${from} → ${to}`;
  const src = from === 0 ? 'c_{k-2}' : from === 1 ? 'c_{k-1}' : String(from - 2);
  return `${src} → ${to - 2}`;
}
