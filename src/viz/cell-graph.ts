/**
 * A cell as a small drawable graph, shared by the DOT and SVG outputs. Conventions of the DARTS
 * paper's figures (quark0/darts cnn/visualize.py): inputs c_{k-2} and c_{k-1}, intermediate nodes
 * numbered 0..steps-1, edges labelled with their op, every concatenated node feeding the output c_{k}.
 */
import type { AnyGenotype } from '../space/genotype';
import { nb201EdgeEnds } from '../space/genotype';
import type { DartsGenotype, GenotypeEdge, Nb101Genotype, Nb201Genotype } from '../space/genotype-types';
import { nb101Prune } from '../space/nb101-spec';

export type NodeKind = 'input' | 'inner' | 'output';

export interface CellNode {
  id: string;
  /** Main text, e.g. `c` or `2`. */
  text: string;
  /** Subscript, e.g. `k-2` (DOT shows it as `c_{k-2}`). */
  sub?: string;
  kind: NodeKind;
}

export interface CellEdge {
  from: string;
  to: string;
  /** The op; absent for the unlabelled concat edges into c_{k}. */
  label?: string;
  /** Drawn dashed and grey: the NB201 `none` (zero) op, which carries nothing. */
  faint?: boolean;
}

export interface CellGraph {
  name: string;
  title: string;
  nodes: CellNode[];
  edges: CellEdge[];
}

/** The DOT/visualize.py name of a node: `c_{k-2}`, `0`, … */
export function nodeName(n: CellNode): string {
  return n.sub ? `${n.text}_{${n.sub}}` : n.text;
}

/** One DARTS cell: edges 2i, 2i+1 feed intermediate node i; input j is c_{k-2}, c_{k-1} or node j-2. */
export function dartsCellGraph(edges: GenotypeEdge[], concat: number[], name: string, title: string): CellGraph {
  const steps = edges.length / 2;
  const id = (j: number) => (j === 0 ? 'c_k-2' : j === 1 ? 'c_k-1' : String(j - 2));
  const nodes: CellNode[] = [
    { id: 'c_k-2', text: 'c', sub: 'k-2', kind: 'input' },
    { id: 'c_k-1', text: 'c', sub: 'k-1', kind: 'input' },
  ];
  for (let i = 0; i < steps; i++) nodes.push({ id: String(i), text: String(i), kind: 'inner' });
  nodes.push({ id: 'c_k', text: 'c', sub: 'k', kind: 'output' });
  const out: CellEdge[] = edges.map(([op, j], k) => ({ from: id(j), to: String(Math.floor(k / 2)), label: op }));
  for (const c of concat) out.push({ from: id(c), to: 'c_k' });
  return { name, title, nodes, edges: out };
}

/** Both cells of a DARTS genotype. */
export function dartsGraphs(g: DartsGenotype): CellGraph[] {
  return [
    dartsCellGraph(g.normal, g.normal_concat, 'normal', 'normal cell'),
    dartsCellGraph(g.reduce, g.reduce_concat, 'reduce', 'reduction cell'),
  ];
}

/** The NB201 cell: node 0 is the input, node 3 the output; `none` edges are kept but drawn faint. */
export function nb201Graph(g: Nb201Genotype): CellGraph {
  const last = nb201EdgeEnds(g.ops.length - 1).to;
  const nodes: CellNode[] = [];
  for (let i = 0; i <= last; i++) nodes.push({ id: String(i), text: String(i), kind: i === 0 ? 'input' : i === last ? 'output' : 'inner' });
  const edges: CellEdge[] = g.ops.map((op, e) => {
    const { from, to } = nb201EdgeEnds(e);
    return { from: String(from), to: String(to), label: op, ...(op === 'none' ? { faint: true } : {}) };
  });
  return { name: 'cell', title: 'NAS-Bench-201 cell', nodes, edges };
}

/**
 * A NAS-Bench-101 cell as the official `ModelSpec.visualize` draws it: the pruned cell (vertices on
 * no input→output path removed), ops on the vertices, unlabelled edges.
 */
export function nb101Graph(g: Nb101Genotype): CellGraph {
  const p = nb101Prune(g);
  if (!p) throw new Error('nb101Graph: the cell has no input→output path');
  const last = p.ops.length - 1;
  const nodes: CellNode[] = p.ops.map((op, v) => ({ id: String(v), text: op, kind: v === 0 ? 'input' : v === last ? 'output' : 'inner' }));
  const edges: CellEdge[] = [];
  p.matrix.forEach((row, a) => row.forEach((x, b) => x && edges.push({ from: String(a), to: String(b) })));
  return { name: 'cell', title: 'NAS-Bench-101 cell', nodes, edges };
}

/** The graphs to draw for any genotype: two cells for DARTS, one for NB201 and NB101. */
export function genotypeGraphs(g: AnyGenotype): CellGraph[] {
  if (g.space === 'darts') return dartsGraphs(g.genotype);
  return g.space === 'nb101' ? [nb101Graph(g.genotype)] : [nb201Graph(g.genotype)];
}
