/**
 * SVG diagram of a genotype's cells (normal above reduction for DARTS; the one NB201 cell), drawn in
 * the style of the DARTS paper's figures with our own layered layout (layout.ts): no Graphviz or
 * other system program. Text widths are estimated from character counts, so op labels use a
 * monospace font and node names a serif one with generous padding.
 */
import type { AnyGenotype } from '../space/genotype';
import { type CellGraph, type CellNode, type NodeKind, genotypeGraphs } from './cell-graph';
import { type Box, type Layout, type Point, layeredLayout } from './layout';

const FILL: Record<NodeKind, string> = { input: '#b4eeb4', inner: '#add8e6', output: '#eee8aa' }; // Graphviz darkseagreen2, lightblue, palegoldenrod
const NODE_FONT = 18;
const SUB_FONT = 13;
const LABEL_FONT = 12;
const MONO_CHAR = 0.6 * LABEL_FONT; // advance of a monospace glyph
const SERIF_CHAR = 0.55; // generous average advance of a serif glyph, in em
const TITLE_FONT = 16;
const TITLE_SPACE = 30;
const CELL_GAP = 18;

export interface SvgOptions {
  /** A caption above the cells, e.g. the genotype's name. */
  caption?: string;
  /** Prefix of the arrowhead marker ids, so that several diagrams can share one HTML page. */
  idPrefix?: string;
}

export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

const f = (x: number) => String(Math.round(x * 10) / 10);

function nodeSize(n: CellNode): { width: number; height: number } {
  const text = n.text.length * SERIF_CHAR * NODE_FONT + (n.sub ? n.sub.length * SERIF_CHAR * SUB_FONT + 2 : 0);
  return { width: Math.max(40, text + 22), height: 34 };
}

const labelSize = (label: string) => ({ width: label.length * MONO_CHAR + 10, height: LABEL_FONT + 7 });

/** A smooth path through the points, leaving and entering every point horizontally. */
function pathData(points: Point[]): string {
  let d = `M${f(points[0].x)},${f(points[0].y)}`;
  for (let k = 1; k < points.length; k++) {
    const p = points[k - 1];
    const q = points[k];
    const dx = (q.x - p.x) / 2;
    d += Math.abs(q.y - p.y) < 0.05 ? ` L${f(q.x)},${f(q.y)}` : ` C${f(p.x + dx)},${f(p.y)} ${f(q.x - dx)},${f(q.y)} ${f(q.x)},${f(q.y)}`;
  }
  return d;
}

function nodeSvg(n: CellNode, b: Box): string {
  const x = b.x - b.width / 2;
  const y = b.y - b.height / 2;
  const sub = n.sub ? `<tspan font-size="${SUB_FONT}" dy="5">${escapeXml(n.sub)}</tspan>` : '';
  return (
    `<rect x="${f(x)}" y="${f(y)}" width="${f(b.width)}" height="${f(b.height)}" rx="4" fill="${FILL[n.kind]}" stroke="#333" stroke-width="2"/>` +
    `<text x="${f(b.x)}" y="${f(b.y + 6)}" text-anchor="middle" font-family="Times New Roman, Times, serif" font-size="${NODE_FONT}">` +
    `${escapeXml(n.text)}${sub}</text>`
  );
}

function cellSvg(g: CellGraph, lay: Layout, ids: string): string[] {
  const out: string[] = [];
  g.edges.forEach((e, k) => {
    const { points } = lay.edges[k];
    const style = e.faint ? ` stroke="#aaa" stroke-dasharray="5,4" marker-end="url(#${ids}arrow-faint)"` : ` stroke="#555" marker-end="url(#${ids}arrow)"`;
    out.push(`<path d="${pathData(points)}" fill="none" stroke-width="1.5"${style}/>`);
  });
  g.edges.forEach((e, k) => {
    const b = lay.edges[k].label;
    if (!b || e.label === undefined) return;
    out.push(
      `<rect x="${f(b.x - b.width / 2)}" y="${f(b.y - b.height / 2)}" width="${f(b.width)}" height="${f(b.height)}" rx="3" fill="white"/>` +
        `<text x="${f(b.x)}" y="${f(b.y + LABEL_FONT * 0.35)}" text-anchor="middle" font-family="DejaVu Sans Mono, Menlo, Consolas, monospace" ` +
        `font-size="${LABEL_FONT}" fill="${e.faint ? '#999' : '#222'}">${escapeXml(e.label)}</text>`,
    );
  });
  for (const n of g.nodes) out.push(nodeSvg(n, lay.nodes[n.id]));
  return out;
}

function layoutCell(g: CellGraph): Layout {
  const nodes = g.nodes.map((n) => ({ id: n.id, ...nodeSize(n) }));
  const edges = g.edges.map((e) => ({ from: e.from, to: e.to, ...(e.label !== undefined ? { label: labelSize(e.label) } : {}) }));
  return layeredLayout({ nodes, edges });
}

const marker = (id: string, fill: string) =>
  `<marker id="${id}" viewBox="0 0 10 10" refX="10" refY="5" markerUnits="userSpaceOnUse" markerWidth="10" markerHeight="10" orient="auto">` +
  `<path d="M0,0 L10,5 L0,10 z" fill="${fill}"/></marker>`;

/** A standalone SVG document drawing every cell of the genotype, one below the other. */
export function genotypeToSvg(g: AnyGenotype, opts: SvgOptions = {}): string {
  const graphs = genotypeGraphs(g);
  const layouts = graphs.map(layoutCell);
  const body: string[] = [];
  let y = CELL_GAP / 2;
  if (opts.caption) {
    body.push(`<text x="16" y="${f(y + TITLE_FONT + 2)}" font-family="Helvetica, Arial, sans-serif" font-size="${TITLE_FONT + 2}" font-weight="bold">${escapeXml(opts.caption)}</text>`);
    y += TITLE_SPACE;
  }
  graphs.forEach((cell, k) => {
    body.push(`<g transform="translate(0,${f(y)})">`);
    body.push(`<text x="16" y="${TITLE_FONT}" font-family="Helvetica, Arial, sans-serif" font-size="${TITLE_FONT}" fill="#333">${escapeXml(cell.title)}</text>`);
    body.push(`<g transform="translate(0,${TITLE_SPACE - 8})">`, ...cellSvg(cell, layouts[k], opts.idPrefix ?? ''), '</g>', '</g>');
    y += TITLE_SPACE - 8 + layouts[k].height + CELL_GAP;
  });
  const width = Math.max(240, ...layouts.map((l) => l.width));
  const height = y;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<svg xmlns="http://www.w3.org/2000/svg" width="${f(width)}" height="${f(height)}" viewBox="0 0 ${f(width)} ${f(height)}">`,
    `<defs>${marker(`${opts.idPrefix ?? ''}arrow`, '#555')}${marker(`${opts.idPrefix ?? ''}arrow-faint`, '#aaa')}</defs>`,
    `<rect width="100%" height="100%" fill="white"/>`,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}
