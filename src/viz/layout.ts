/**
 * A small layered (Sugiyama-style) layout for cell graphs, left to right, with no system program:
 * 1. ranks by longest path from the inputs, doubled so that every edge crosses at least one
 *    in-between rank; each edge's label is a box in the rank just before its target (as Graphviz
 *    dot does with labelled edges), long edges get thin virtual points in the other ranks;
 * 2. order within ranks by barycenter sweeps, then adjacent swaps, keeping the fewest crossings;
 * 3. x by rank columns; y by repeatedly pulling every box towards its neighbours' mean and
 *    resolving overlaps in order (isotonic regression with minimum gaps).
 * Cells have at most a dozen edges, so the exhaustive crossing counts are cheap.
 */

export interface Size {
  width: number;
  height: number;
}
/** A box given by its centre. */
export interface Box extends Size {
  x: number;
  y: number;
}
export interface Point {
  x: number;
  y: number;
}
export interface LayoutInput {
  nodes: ({ id: string } & Size)[];
  edges: { from: string; to: string; label?: Size }[];
}
export interface Layout extends Size {
  nodes: Record<string, Box>;
  /** Per input edge: the path from the source's right side to the target's left side, and its label box. */
  edges: { points: Point[]; label?: Box }[];
}
export interface LayoutOptions {
  rankGap: number;
  itemGap: number;
  margin: number;
}
const DEFAULTS: LayoutOptions = { rankGap: 44, itemGap: 14, margin: 16 };
/** Virtual points of long edges are thin, so that parallel long edges stay a few pixels apart. */
const VIRTUAL_HEIGHT = 4;

interface Item extends Size {
  rank: number;
  y: number;
  node?: string;
}

/** Longest-path layer of each node (inputs at 0); throws on a cycle. */
function layers(input: LayoutInput): Map<string, number> {
  const layer = new Map(input.nodes.map((n) => [n.id, 0]));
  const indeg = new Map(input.nodes.map((n) => [n.id, 0]));
  for (const e of input.edges) {
    if (!layer.has(e.from) || !layer.has(e.to)) throw new Error(`layout: edge ${e.from} -> ${e.to} names an unknown node`);
    indeg.set(e.to, (indeg.get(e.to) as number) + 1);
  }
  const ready = input.nodes.filter((n) => indeg.get(n.id) === 0).map((n) => n.id);
  let seen = 0;
  while (ready.length) {
    const u = ready.shift() as string;
    seen++;
    for (const e of input.edges.filter((x) => x.from === u)) {
      layer.set(e.to, Math.max(layer.get(e.to) as number, (layer.get(u) as number) + 1));
      indeg.set(e.to, (indeg.get(e.to) as number) - 1);
      if (indeg.get(e.to) === 0) ready.push(e.to);
    }
  }
  if (seen !== input.nodes.length) throw new Error('layout: the graph has a cycle');
  return layer;
}

/** Items per rank and, per edge, its chain of items from source to target. */
function buildItems(input: LayoutInput) {
  const layer = layers(input);
  const maxRank = 2 * Math.max(0, ...layer.values());
  const ranks: Item[][] = Array.from({ length: maxRank + 1 }, () => []);
  const nodeItem = new Map<string, Item>();
  for (const n of input.nodes) {
    const it: Item = { rank: 2 * (layer.get(n.id) as number), width: n.width, height: n.height, y: 0, node: n.id };
    nodeItem.set(n.id, it);
    ranks[it.rank].push(it);
  }
  const chains = input.edges.map((e) => {
    const src = nodeItem.get(e.from) as Item;
    const dst = nodeItem.get(e.to) as Item;
    const chain: Item[] = [src];
    for (let r = src.rank + 1; r < dst.rank; r++) {
      const size = r === dst.rank - 1 && e.label ? e.label : { width: 0, height: VIRTUAL_HEIGHT };
      const it: Item = { rank: r, ...size, y: 0 };
      ranks[r].push(it);
      chain.push(it);
    }
    chain.push(dst);
    return chain;
  });
  // links[r]: pairs (item in rank r, item in rank r+1) along the chains.
  const links: [Item, Item][][] = Array.from({ length: maxRank }, () => []);
  for (const c of chains) for (let k = 0; k + 1 < c.length; k++) links[c[k].rank].push([c[k], c[k + 1]]);
  return { ranks, chains, links, nodeItem };
}

function crossings(links: [Item, Item][], pos: Map<Item, number>): number {
  let n = 0;
  for (let a = 0; a < links.length; a++) {
    for (let b = a + 1; b < links.length; b++) {
      const d1 = (pos.get(links[a][0]) as number) - (pos.get(links[b][0]) as number);
      const d2 = (pos.get(links[a][1]) as number) - (pos.get(links[b][1]) as number);
      if (d1 * d2 < 0) n++;
    }
  }
  return n;
}

/** Orders the items of every rank to reduce edge crossings (in place). */
function orderRanks(ranks: Item[][], links: [Item, Item][][]): void {
  const pos = new Map<Item, number>();
  const index = () => ranks.forEach((rk) => rk.forEach((it, i) => pos.set(it, i)));
  const total = () => links.reduce((s, l) => s + crossings(l, pos), 0);
  const sortBy = (r: number, neighbours: (it: Item) => Item[]) => {
    const bary = new Map(ranks[r].map((it, i) => {
      const ns = neighbours(it);
      return [it, ns.length ? ns.reduce((s, x) => s + (pos.get(x) as number), 0) / ns.length : i] as const;
    }));
    ranks[r].sort((a, b) => (bary.get(a) as number) - (bary.get(b) as number));
    ranks[r].forEach((it, i) => pos.set(it, i));
  };
  index();
  let best = { n: total(), order: ranks.map((rk) => [...rk]) };
  for (let sweep = 0; sweep < 8 && best.n > 0; sweep++) {
    for (let r = 1; r < ranks.length; r++) sortBy(r, (it) => links[r - 1].filter((l) => l[1] === it).map((l) => l[0]));
    for (let r = ranks.length - 2; r >= 0; r--) sortBy(r, (it) => links[r].filter((l) => l[0] === it).map((l) => l[1]));
    const n = total();
    if (n < best.n) best = { n, order: ranks.map((rk) => [...rk]) };
  }
  best.order.forEach((rk, r) => (ranks[r] = rk));
  index();
  // Adjacent swaps while they strictly reduce the crossings around the rank.
  const around = (r: number) => (r > 0 ? crossings(links[r - 1], pos) : 0) + (r < links.length ? crossings(links[r], pos) : 0);
  for (let improved = true; improved; ) {
    improved = false;
    ranks.forEach((rk, r) => {
      for (let i = 0; i + 1 < rk.length; i++) {
        const before = around(r);
        [rk[i], rk[i + 1]] = [rk[i + 1], rk[i]];
        pos.set(rk[i], i).set(rk[i + 1], i + 1);
        if (around(r) < before) improved = true;
        else {
          [rk[i], rk[i + 1]] = [rk[i + 1], rk[i]];
          pos.set(rk[i], i).set(rk[i + 1], i + 1);
        }
      }
    });
  }
}

/** Places a rank's items as close as possible to `want` (least squares) keeping order and gaps. */
function placeRank(items: Item[], want: number[], gap: number): void {
  const offset: number[] = [];
  items.forEach((it, i) => (offset[i] = i === 0 ? 0 : offset[i - 1] + (items[i - 1].height + it.height) / 2 + gap));
  // Isotonic regression of want - offset by pooling adjacent violators.
  const blocks: { sum: number; n: number }[] = [];
  for (let i = 0; i < items.length; i++) {
    blocks.push({ sum: want[i] - offset[i], n: 1 });
    while (blocks.length > 1) {
      const b = blocks[blocks.length - 1];
      const a = blocks[blocks.length - 2];
      if (a.sum / a.n <= b.sum / b.n) break;
      blocks.splice(-2, 2, { sum: a.sum + b.sum, n: a.n + b.n });
    }
  }
  let i = 0;
  for (const b of blocks) for (let k = 0; k < b.n; k++, i++) items[i].y = b.sum / b.n + offset[i];
}

function assignY(ranks: Item[][], links: [Item, Item][][], gap: number): void {
  const neighbours = new Map<Item, Item[]>();
  for (const l of links.flat()) {
    neighbours.set(l[0], [...(neighbours.get(l[0]) ?? []), l[1]]);
    neighbours.set(l[1], [...(neighbours.get(l[1]) ?? []), l[0]]);
  }
  for (const rk of ranks) placeRank(rk, rk.map(() => 0), gap);
  for (let iter = 0; iter < 60; iter++) {
    const order = iter % 2 === 0 ? ranks : [...ranks].reverse();
    for (const rk of order) {
      const want = rk.map((it) => {
        const ns = neighbours.get(it) ?? [];
        return ns.length ? ns.reduce((s, x) => s + x.y, 0) / ns.length : it.y;
      });
      placeRank(rk, want, gap);
    }
  }
}

/**
 * Where several edges leave or enter the same node, spreads their end points along the node's side
 * (in the order of the neighbouring points), so that arrowheads do not pile up on one pixel.
 */
function spreadPorts(edges: { points: Point[] }[], chains: Item[][]): void {
  const ends = new Map<Item, { p: Point; towards: number }[]>();
  chains.forEach((c, e) => {
    const pts = edges[e].points;
    const add = (it: Item, p: Point, towards: Point) => ends.set(it, [...(ends.get(it) ?? []), { p, towards: towards.y }]);
    add(c[0], pts[0], pts[1]);
    add(c[c.length - 1], pts[pts.length - 1], pts[pts.length - 2]);
  });
  for (const [it, list] of ends) {
    const bySide = new Map<number, { p: Point; towards: number }[]>();
    for (const x of list) bySide.set(x.p.x, [...(bySide.get(x.p.x) ?? []), x]);
    for (const group of bySide.values()) {
      if (group.length < 2) continue;
      group.sort((a, b) => a.towards - b.towards);
      const step = Math.min(7, (it.height - 10) / (group.length - 1));
      group.forEach((x, i) => (x.p.y += (i - (group.length - 1) / 2) * step));
    }
  }
}

/** Lays a graph out left to right; coordinates start at `margin`. */
export function layeredLayout(input: LayoutInput, options: Partial<LayoutOptions> = {}): Layout {
  const opt = { ...DEFAULTS, ...options };
  const { ranks, chains, links, nodeItem } = buildItems(input);
  orderRanks(ranks, links);
  assignY(ranks, links, opt.itemGap);
  const colX: number[] = [];
  const colW: number[] = [];
  let left = opt.margin;
  for (const rk of ranks) {
    colW.push(Math.max(0, ...rk.map((it) => it.width)));
    colX.push(left + colW[colW.length - 1] / 2);
    left += colW[colW.length - 1] + opt.rankGap;
  }
  const all = ranks.flat();
  const top = Math.min(...all.map((it) => it.y - it.height / 2));
  const bottom = Math.max(...all.map((it) => it.y + it.height / 2));
  const box = (it: Item): Box => ({ x: colX[it.rank], y: it.y - top + opt.margin, width: it.width, height: it.height });
  const nodes: Record<string, Box> = {};
  for (const [id, it] of nodeItem) nodes[id] = box(it);
  const edges = chains.map((chain, e) => {
    // Virtual items (labels, long-edge points) are crossed horizontally over their whole column,
    // so that edges bend only in the gaps between columns and never across a neighbour's label.
    const points: Point[] = [];
    chain.forEach((it, k) => {
      const b = box(it);
      const half = it.node ? b.width / 2 : colW[it.rank] / 2;
      if (k > 0) points.push({ x: b.x - half, y: b.y });
      if (k < chain.length - 1) points.push({ x: b.x + half, y: b.y });
    });
    const labelled = input.edges[e].label && chain.length > 2;
    return { points, ...(labelled ? { label: box(chain[chain.length - 2]) } : {}) };
  });
  spreadPorts(edges, chains);
  return { width: left - opt.rankGap + opt.margin, height: bottom - top + 2 * opt.margin, nodes, edges };
}
