import { BUILTIN_GENOTYPE_NAMES, builtinGenotype } from '../space/builtin-genotypes';
import type { DartsGenotype } from '../space/genotype-types';
import { type AnyGenotype, parseNb201String, resolveGenotype } from '../space/genotype';
import { dartsCellGraph, genotypeGraphs } from './cell-graph';
import { cellToDot, genotypeToDot } from './dot';
import { type Box, layeredLayout } from './layout';
import { genotypeToSvg } from './svg';

const NB = '|nor_conv_3x3~0|+|nor_conv_3x3~0|none~1|+|skip_connect~0|nor_conv_1x1~1|avg_pool_3x3~2|';
const nb201: AnyGenotype = { space: 'nb201', genotype: parseNb201String(NB) };
const partial: AnyGenotype = { space: 'darts', genotype: { ...(builtinGenotype('PDARTS') as DartsGenotype), reduce_concat: [3, 5] } };
const all: [string, AnyGenotype][] = [
  ...BUILTIN_GENOTYPE_NAMES.map((n) => [n, resolveGenotype(n)] as [string, AnyGenotype]),
  ['NB201', nb201],
  ['partial concat', partial],
];

/** A small XML well-formedness check: balanced tags, quoted attributes, no raw & or < in text. */
function checkXml(xml: string): void {
  const body = xml.replace(/^<\?xml[^?]*\?>\s*/, '');
  const stack: string[] = [];
  const tag = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/y;
  let i = 0;
  while (i < body.length) {
    const lt = body.indexOf('<', i);
    const text = body.slice(i, lt < 0 ? body.length : lt);
    expect(text).not.toMatch(/&(?!(amp|lt|gt|quot|apos);)/);
    if (lt < 0) break;
    tag.lastIndex = lt;
    const m = tag.exec(body);
    if (!m) throw new Error(`malformed tag at ${lt}: ${body.slice(lt, lt + 60)}`);
    if (m[1]) expect(stack.pop()).toBe(m[2]);
    else if (!m[4]) stack.push(m[2]);
    i = tag.lastIndex;
  }
  expect(stack).toEqual([]);
}

const overlaps = (a: Box, b: Box) => Math.abs(a.x - b.x) < (a.width + b.width) / 2 && Math.abs(a.y - b.y) < (a.height + b.height) / 2;

describe('DOT', () => {
  it('draws a DARTS cell as visualize.py does', () => {
    const g = resolveGenotype('DARTS_V2');
    if (g.space !== 'darts') throw new Error('unreachable');
    const dot = cellToDot(dartsCellGraph(g.genotype.normal, g.genotype.normal_concat, 'normal', 'normal cell'));
    expect(dot).toMatch(/^digraph "normal" \{\n {2}rankdir=LR;/);
    expect(dot).toContain('"c_{k-2}" [label="c_{k-2}", fillcolor=darkseagreen2];');
    expect(dot).toContain('"3" [label="3", fillcolor=lightblue];');
    expect(dot).toContain('"c_{k}" [label="c_{k}", fillcolor=palegoldenrod];');
    expect(dot).toContain('"0" -> "3" [label="dil_conv_3x3", fillcolor=gray];');
    expect(dot).toContain('"c_{k-1}" -> "2" [label="sep_conv_3x3", fillcolor=gray];');
    for (const i of [0, 1, 2, 3]) expect(dot).toContain(`"${i}" -> "c_{k}" [fillcolor=gray];`);
    expect(dot.match(/->/g)).toHaveLength(12);
  });

  it('puts both cells in one digraph, only concatenated nodes feed c_{k}', () => {
    const dot = genotypeToDot(partial, 'PDARTS');
    expect(dot).toContain('subgraph "cluster_normal" {');
    expect(dot).toContain('label="reduction cell";');
    expect(dot).toContain('"reduce_c_{k-1}" -> "reduce_0" [label="sep_conv_5x5", fillcolor=gray];');
    expect(dot).toContain('"reduce_1" -> "reduce_c_{k}"');
    expect(dot).not.toContain('"reduce_0" -> "reduce_c_{k}"');
    expect(dot.match(/->/g)).toHaveLength(8 + 4 + 8 + 2);
  });

  it('draws NB201 cells with none edges dashed', () => {
    const dot = genotypeToDot(nb201);
    expect(dot).toContain('"1" -> "2" [label="none", fillcolor=gray, style=dashed');
    expect(dot).toContain('"2" -> "3" [label="avg_pool_3x3", fillcolor=gray];');
    expect(dot.match(/->/g)).toHaveLength(6);
  });
});

describe('layout', () => {
  it.each(all)('%s: no boxes overlap, edges run left to right from source to target', (_, g) => {
    for (const cell of genotypeGraphs(g)) {
      const nodes = cell.nodes.map((n) => ({ id: n.id, width: 40, height: 30 }));
      const lay = layeredLayout({ nodes, edges: cell.edges.map((e) => ({ ...e, label: e.label ? { width: 90, height: 18 } : undefined })) });
      const boxes = [...Object.values(lay.nodes), ...lay.edges.flatMap((e) => (e.label ? [e.label] : []))];
      for (let a = 0; a < boxes.length; a++) for (let b = a + 1; b < boxes.length; b++) expect(overlaps(boxes[a], boxes[b])).toBe(false);
      cell.edges.forEach((e, k) => {
        const pts = lay.edges[k].points;
        const [src, dst] = [lay.nodes[e.from], lay.nodes[e.to]];
        expect(pts[0].x).toBeCloseTo(src.x + src.width / 2);
        expect(pts[pts.length - 1].x).toBeCloseTo(dst.x - dst.width / 2);
        for (let i = 1; i < pts.length; i++) expect(pts[i].x).toBeGreaterThanOrEqual(pts[i - 1].x);
        for (const p of pts) expect(p.y).toBeGreaterThanOrEqual(0);
      });
      for (const b of boxes) {
        expect(b.x + b.width / 2).toBeLessThanOrEqual(lay.width);
        expect(b.y + b.height / 2).toBeLessThanOrEqual(lay.height);
      }
    }
  });

  it('finds a crossing-free order when one exists', () => {
    // a -> d, b -> c listed so that the initial order crosses.
    const n = (id: string) => ({ id, width: 20, height: 20 });
    const lay = layeredLayout({ nodes: [n('a'), n('b'), n('c'), n('d')], edges: [{ from: 'a', to: 'd' }, { from: 'b', to: 'c' }] });
    expect(Math.sign(lay.nodes.a.y - lay.nodes.b.y)).toBe(Math.sign(lay.nodes.d.y - lay.nodes.c.y));
  });

  it('rejects cycles and unknown nodes', () => {
    const n = (id: string) => ({ id, width: 20, height: 20 });
    expect(() => layeredLayout({ nodes: [n('a'), n('b')], edges: [{ from: 'a', to: 'b' }, { from: 'b', to: 'a' }] })).toThrow('cycle');
    expect(() => layeredLayout({ nodes: [n('a')], edges: [{ from: 'a', to: 'z' }] })).toThrow('unknown node');
  });
});

describe('SVG', () => {
  it.each(all)('%s: well-formed, every op label and node drawn, deterministic', (name, g) => {
    const svg = genotypeToSvg(g, { caption: name });
    checkXml(svg);
    expect(svg).toMatch(/<svg xmlns="http:\/\/www.w3.org\/2000\/svg" width="[\d.]+" height="[\d.]+"/);
    const cells = genotypeGraphs(g);
    const ops = cells.flatMap((c) => c.edges.filter((e) => e.label).map((e) => e.label as string));
    const drawnLabels = [...svg.matchAll(/monospace" font-size="12" fill="#\w+">([^<]+)<\/text>/g)].map((m) => m[1]);
    expect(drawnLabels.sort()).toEqual([...ops].sort());
    expect(svg.match(/<path d="[^"]*" fill="none"/g)).toHaveLength(cells.reduce((s, c) => s + c.edges.length, 0));
    expect(svg.match(/stroke-width="2"/g)).toHaveLength(cells.reduce((s, c) => s + c.nodes.length, 0));
    for (const c of cells) expect(svg).toContain(`>${c.title}</text>`);
    expect(svg).toContain(`>${name}</text>`);
    expect(genotypeToSvg(g, { caption: name })).toBe(svg);
  });

  it('draws inputs with subscripts and escapes text', () => {
    const svg = genotypeToSvg(resolveGenotype('DARTS_V1'), { caption: 'A & <B>' });
    expect(svg).toContain('c<tspan font-size="13" dy="5">k-2</tspan>');
    expect(svg).toContain('A &amp; &lt;B&gt;');
    checkXml(svg);
    expect(genotypeToSvg(nb201)).toContain('stroke-dasharray');
  });
});
