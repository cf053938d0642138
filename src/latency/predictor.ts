/**
 * The latency predictor (ProxylessNAS, Cai et al., ICLR 2019, §3.3; FBNet, Wu et al., CVPR 2019):
 * a network's latency is its fixed part plus the sum of its edges' op latencies from the table.
 * The expected latency of a supernet's α is the same sum with each edge's op latency weighted by
 * the probability of the op the derivation would pick. Pure arrays here; objective.ts is the
 * tensor form.
 */
import type { DartsGenotype, Nb201Genotype } from '../space/genotype-types';
import { DARTS_STEPS } from '../space/primitives';
import { SPACE_OPS } from './positions';
import { cellPositions } from './positions';
import { LatencyTable, opLatency } from './table';

/** The α rows a genotype's cell of type `alpha` keeps, with their ops (a row may be kept twice). */
function keptRows(t: LatencyTable, g: DartsGenotype | Nb201Genotype, alpha: string): [row: number, op: string][] {
  if (t.network.space === 'nb201') return (g as Nb201Genotype).ops.map((op, e) => [e, op]);
  const d = g as DartsGenotype;
  const edges = alpha === 'reduce' ? d.reduce : d.normal;
  const out: [number, string][] = [];
  let offset = 0;
  for (let i = 0; i < DARTS_STEPS; i++) {
    for (const [op, from] of edges.slice(2 * i, 2 * i + 2)) out.push([offset + from, op]);
    offset += i + 2;
  }
  return out;
}

/** Predicted latency (ms) of the network of a genotype: fixed part + Σ over every cell's kept edges. */
export function predictLatency(t: LatencyTable, g: DartsGenotype | Nb201Genotype): number {
  let sum = t.fixedMs;
  for (const cell of cellPositions(t.network)) {
    for (const [row, op] of keptRows(t, g, cell.alpha)) sum += opLatency(t, op, cell.edges[row]);
  }
  return sum;
}

/**
 * Per α matrix, [edges, ops]: the latency an edge adds when it takes op k, summed over the cells
 * of that type. DARTS keeps 2 of the i+2 edges into node i, so each edge counts 2/(i+2) (the
 * expected number of kept edges over the node's rows is then 2, as in the derived cell).
 */
export function latencyMatrices(t: LatencyTable): Record<string, number[][]> {
  const ops = SPACE_OPS[t.network.space];
  const weightOf = edgeWeights(t);
  const out: Record<string, number[][]> = {};
  for (const cell of cellPositions(t.network)) {
    out[cell.alpha] ??= cell.edges.map(() => ops.map(() => 0));
    cell.edges.forEach((p, e) => ops.forEach((op, k) => (out[cell.alpha][e][k] += weightOf[e] * opLatency(t, op, p))));
  }
  return out;
}

function edgeWeights(t: LatencyTable): number[] {
  if (t.network.space === 'nb201') return cellPositions(t.network)[0].edges.map(() => 1);
  const out: number[] = [];
  for (let i = 0; i < DARTS_STEPS; i++) for (let j = 0; j < i + 2; j++) out.push(2 / (i + 2));
  return out;
}

/**
 * Whether the derivation ignores `none` (DARTS: the kept op is the best non-none one, so the op
 * probabilities are renormalised without it); NAS-Bench-201 cells keep `none` edges.
 */
export function excludesNone(t: LatencyTable): boolean {
  return t.network.space === 'darts';
}

/** Expected latency (ms) for op probabilities softmax(α) per α matrix (plain arrays, for tests and logs). */
export function expectedLatency(t: LatencyTable, probs: Record<string, number[][]>): number {
  const m = latencyMatrices(t);
  const noneCol = SPACE_OPS[t.network.space].indexOf('none');
  let sum = t.fixedMs;
  for (const [name, rows] of Object.entries(m)) {
    rows.forEach((lat, e) => {
      const p = probs[name][e].map((v, k) => (excludesNone(t) && k === noneCol ? 0 : v));
      const z = p.reduce((a, b) => a + b, 0);
      lat.forEach((l, k) => (sum += (l * p[k]) / z));
    });
  }
  return sum;
}

/** Ranks with ties given their average rank (1-based). */
export function ranks(v: readonly number[]): number[] {
  const idx = v.map((_, i) => i).sort((a, b) => v[a] - v[b]);
  const r = new Array<number>(v.length);
  for (let i = 0; i < idx.length; ) {
    let j = i;
    while (j + 1 < idx.length && v[idx[j + 1]] === v[idx[i]]) j++;
    for (let k = i; k <= j; k++) r[idx[k]] = (i + j) / 2 + 1;
    i = j + 1;
  }
  return r;
}

function pearson(a: readonly number[], b: readonly number[]): number {
  const n = a.length;
  const ma = a.reduce((s, x) => s + x, 0) / n;
  const mb = b.reduce((s, x) => s + x, 0) / n;
  let [sab, saa, sbb] = [0, 0, 0];
  for (let i = 0; i < n; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  }
  return saa === 0 || sbb === 0 ? NaN : sab / Math.sqrt(saa * sbb);
}

/** Spearman's rank correlation (Pearson's on average ranks, so ties are handled). */
export function spearman(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length || a.length < 2) throw new Error(`spearman: two lists of the same length ≥ 2 expected, got ${a.length} and ${b.length}`);
  return pearson(ranks(a), ranks(b));
}

/** Mean of |predicted − measured| / measured. */
export function meanRelativeError(predicted: readonly number[], measured: readonly number[]): number {
  return predicted.reduce((s, p, i) => s + Math.abs(p - measured[i]) / measured[i], 0) / predicted.length;
}
