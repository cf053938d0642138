/**
 * Graphviz DOT text of a genotype's cells, a pure function. Styling follows quark0/darts
 * cnn/visualize.py (left-to-right, filled boxes, Times, inputs darkseagreen2, intermediate nodes
 * lightblue, output palegoldenrod, op names as edge labels); both cells go into one digraph as two
 * clusters so that `dot -Tpdf` draws them on one page.
 */
import type { AnyGenotype } from '../space/genotype';
import { type CellGraph, type NodeKind, genotypeGraphs, nodeName } from './cell-graph';

const FILL: Record<NodeKind, string> = { input: 'darkseagreen2', inner: 'lightblue', output: 'palegoldenrod' };

/** A DOT double-quoted string. */
function q(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** The statements of one cell, node ids prefixed so that several cells can share a graph. */
function cellStatements(g: CellGraph, prefix: string, indent: string): string[] {
  // Node names as visualize.py's where they are unique; NAS-Bench-101 cells repeat ops, so there the ids name the nodes.
  const unique = new Set(g.nodes.map(nodeName)).size === g.nodes.length;
  const names = new Map(g.nodes.map((n) => [n.id, prefix + (unique ? nodeName(n) : n.id)]));
  const id = (nodeId: string) => q(names.get(nodeId) as string);
  const lines = g.nodes.map((n) => `${indent}${id(n.id)} [label=${q(nodeName(n))}, fillcolor=${FILL[n.kind]}];`);
  for (const e of g.edges) {
    const attrs: string[] = [];
    if (e.label !== undefined) attrs.push(`label=${q(e.label)}`);
    attrs.push('fillcolor=gray');
    if (e.faint) attrs.push('style=dashed', 'color=gray60', 'fontcolor=gray50');
    lines.push(`${indent}${id(e.from)} -> ${id(e.to)} [${attrs.join(', ')}];`);
  }
  return lines;
}

const HEADER = [
  '  rankdir=LR;',
  '  node [style=filled, shape=rect, align=center, fontsize=20, height=0.5, width=0.5, penwidth=2, fontname="times"];',
  '  edge [fontsize=20, fontname="times"];',
];

/** One cell as a standalone digraph, node names exactly as visualize.py (`c_{k-2}`, `0`, …). */
export function cellToDot(g: CellGraph): string {
  return [`digraph ${q(g.name)} {`, ...HEADER, ...cellStatements(g, '', '  '), '}', ''].join('\n');
}

/** All cells of a genotype (normal and reduction for DARTS, the one cell for NB201) in one digraph. */
export function genotypeToDot(g: AnyGenotype, name = 'genotype'): string {
  const graphs = genotypeGraphs(g);
  if (graphs.length === 1) return cellToDot({ ...graphs[0], name });
  const lines = [`digraph ${q(name)} {`, ...HEADER];
  for (const cell of graphs) {
    lines.push(`  subgraph ${q(`cluster_${cell.name}`)} {`, `    label=${q(cell.title)};`, '    fontname="times";', '    fontsize=24;', '    color=white;');
    lines.push(...cellStatements(cell, `${cell.name}_`, '    '));
    lines.push('  }');
  }
  lines.push('}', '');
  return lines.join('\n');
}
