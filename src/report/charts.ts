/**
 * Vega-Lite specs of the report's charts, as pure functions of plain rows (rendered by vega.ts).
 * Categories get a colour and a dash pattern (lines) or a colour and a shape (points); continuous
 * values get viridis; every axis title names its unit.
 */
import type { TopLevelSpec } from 'vega-lite';
import { DASHES } from './vega';

export type Datum = Record<string, string | number | null>;

const spec = (s: Record<string, unknown>) => s as unknown as TopLevelSpec;
/**
 * An integer x axis (epochs, queries). Vega's tickMinStep does not stop fractional ticks on short
 * domains (1, 1.5, 2 … printed as 1 2 2), so short domains get their ticks listed.
 */
export function integerAxis(values: readonly Datum[], field: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const xs = values.map((v) => Number(v[field])).filter(Number.isFinite);
  const lo = Math.ceil(Math.min(...xs));
  const hi = Math.floor(Math.max(...xs));
  const list = hi - lo <= 12 ? { values: Array.from({ length: hi - lo + 1 }, (_, i) => lo + i) } : { tickMinStep: 1 };
  return { format: 'd', ...list, ...extra };
}

/**
 * An axis title in at most two lines: a rotated y title longer than its axis makes Vega grow the
 * chart upwards, leaving a gap under the chart title.
 */
export function axisTitle(t: string, max = 30): string | string[] {
  if (t.length <= max) return t;
  const spaces = [...t.matchAll(/ /g)].map((m) => m.index as number);
  if (spaces.length === 0) return t;
  const cut = spaces.reduce((a, b) => (Math.abs(b - t.length / 2) < Math.abs(a - t.length / 2) ? b : a));
  return [t.slice(0, cut), t.slice(cut + 1)];
}

/** Point markers only where there are few enough points to see them. */
const MARK_POINTS_UP_TO = 40;

export interface LineChartOptions {
  title: string;
  values: Datum[];
  x: string;
  y: string;
  xTitle: string;
  yTitle: string;
  /** Field naming each line; omitted for a single line. */
  series?: string;
  seriesTitle?: string;
  /** Order of the series in the legend and palette. */
  seriesOrder?: string[];
  /** Step lines (counts that change at an epoch). */
  step?: boolean;
  yDomain?: [number, number];
  width?: number;
  height?: number;
}

function seriesEncoding(o: LineChartOptions): Record<string, unknown> {
  if (!o.series) return {};
  const legend = { title: o.seriesTitle ?? null, orient: 'bottom', direction: 'horizontal', symbolType: 'stroke', labelLimit: 280, columns: 2 };
  const sort = o.seriesOrder ?? null;
  return {
    color: { field: o.series, type: 'nominal', sort, legend, ...(o.seriesOrder ? { scale: { domain: o.seriesOrder } } : {}) },
    strokeDash: { field: o.series, type: 'nominal', sort, legend, scale: { ...(o.seriesOrder ? { domain: o.seriesOrder } : {}), range: DASHES } },
  };
}

/** Lines of `y` against `x`, one per series. */
export function lineChart(o: LineChartOptions): TopLevelSpec {
  const xs = new Set(o.values.map((v) => v[o.x])).size;
  return spec({
    title: o.title,
    width: o.width ?? 340,
    height: o.height ?? 200,
    data: { values: o.values },
    mark: { type: 'line', interpolate: o.step ? 'step-after' : 'linear', point: xs <= MARK_POINTS_UP_TO ? { filled: true, size: 28 } : false },
    encoding: {
      x: xEncoding(o),
      y: { field: o.y, type: 'quantitative', title: axisTitle(o.yTitle), scale: o.yDomain ? { domain: o.yDomain } : { zero: false }, ...(o.step ? { axis: { tickMinStep: 1 } } : {}) },
      ...seriesEncoding(o),
    },
  });
}

/** The x encoding of an integer field (epochs, queries). */
function xEncoding(o: LineChartOptions): Record<string, unknown> {
  return { field: o.x, type: 'quantitative', title: o.xTitle, axis: integerAxis(o.values, o.x), scale: { nice: false } };
}

/** A layered chart: title, size (pixels, or `{ step }` per category), inline data, layers. */
function frame(title: string, values: readonly Datum[], width: unknown, height: unknown, layer: Record<string, unknown>[]): TopLevelSpec {
  return spec({ title, width, height, data: { values }, layer });
}

/** A layered chart with the options' title, size (default 420 × 240) and data. */
const layered = (o: LineChartOptions, layer: Record<string, unknown>[]) => frame(o.title, o.values, o.width ?? 420, o.height ?? 240, layer);

export interface BandChartOptions extends LineChartOptions {
  series: string;
  /** Field naming each run; its lines are drawn thin under the mean ± std band of its series. */
  run: string;
}

/**
 * Runs overlaid: per series (runs of one configuration with different seeds) the mean line and a
 * band of ± one sample standard deviation where at least two runs have a value, over thin lines of
 * the individual runs. The aggregation is Vega's (errorband, extent stdev).
 */
export function bandChart(o: BandChartOptions): TopLevelSpec {
  const x = xEncoding(o);
  const y = { field: o.y, type: 'quantitative', title: axisTitle(o.yTitle), scale: o.yDomain ? { domain: o.yDomain } : { zero: false } };
  const { color, strokeDash } = seriesEncoding(o) as Record<string, Record<string, unknown>>;
  return layered(o, [
    { mark: { type: 'line', strokeWidth: 0.8, opacity: 0.35 }, encoding: { x, y, color, detail: { field: o.run } } },
    {
      transform: [{ joinaggregate: [{ op: 'count', as: '__n' }], groupby: [o.series, o.x] }, { filter: 'datum.__n >= 2' }],
      mark: { type: 'errorband', extent: 'stdev', opacity: 0.25 },
      encoding: { x, y, color },
    },
    { mark: { type: 'line', strokeWidth: 2 }, encoding: { x, y: { ...y, aggregate: 'mean' }, color, strokeDash } },
  ]);
}

export interface PreAggregatedBandOptions extends LineChartOptions {
  series: string;
  lower: string;
  upper: string;
}

/** A mean line with a given lower/upper band per series (e.g. curves.csv of tfnas bench nb201). */
export function preAggregatedBandChart(o: PreAggregatedBandOptions): TopLevelSpec {
  const x = xEncoding(o);
  const { color, strokeDash } = seriesEncoding(o) as Record<string, Record<string, unknown>>;
  const title = axisTitle(o.yTitle);
  return layered(o, [
    { mark: { type: 'errorband', opacity: 0.25 }, encoding: { x, y: { field: o.lower, type: 'quantitative', title, scale: { zero: false } }, y2: { field: o.upper }, color } },
    { mark: { type: 'line', strokeWidth: 2 }, encoding: { x, y: { field: o.y, type: 'quantitative', title }, color, strokeDash } },
  ]);
}

export interface HeatmapFacetOptions {
  title: string;
  /** Rows {x0, x1, op, edge, weight}: one rect per (epoch block, op) per edge. */
  values: Datum[];
  edges: string[];
  ops: string[];
  columns: number;
  xTitle: string;
  colourTitle: string;
}

/** softmax(α) of one cell type: a small heatmap per edge (epochs across, ops down), shared viridis scale. */
export function alphaHeatmaps(o: HeatmapFacetOptions): TopLevelSpec {
  return spec({
    title: o.title,
    data: { values: o.values },
    columns: o.columns,
    facet: { field: 'edge', type: 'nominal', sort: o.edges, header: { title: null, labelFontSize: 11, labelPadding: 4 } },
    spacing: { row: 12, column: 8 },
    spec: {
      width: 118,
      height: 12 * o.ops.length,
      // No ARIA label per rect: thousands of them would triple the page (the figure has a caption).
      mark: { type: 'rect', aria: false },
      encoding: {
        x: { field: 'x0', type: 'quantitative', title: o.xTitle, scale: { nice: false, zero: false }, axis: integerAxis(o.values.flatMap((v) => [{ e: Number(v.x0) + 0.5 }, { e: Number(v.x1) - 0.5 }]), 'e', { labelFlush: true, tickCount: 4 }) },
        x2: { field: 'x1' },
        y: { field: 'op', type: 'nominal', sort: o.ops, title: null },
        color: { field: 'weight', type: 'quantitative', title: o.colourTitle, scale: { scheme: 'viridis', zero: false }, legend: { orient: 'right', gradientLength: 120 } },
      },
    },
    resolve: { scale: { x: 'shared', y: 'shared', color: 'shared' } },
  });
}

export interface CandidatesOptions {
  title: string;
  /** Rows {query, value, best}: every candidate's value and the best-so-far after that query. */
  values: Datum[];
  yTitle: string;
}

/**
 * The y range of a candidates chart: from the 5th percentile of the values (so that a few very
 * poor candidates do not squash the best-so-far curve) to the maximum; returns how many lie below.
 */
export function candidatesDomain(values: readonly Datum[]): { domain: [number, number]; below: number } {
  const ys = values.flatMap((v) => [v.value, v.best]).filter((y): y is number => typeof y === 'number' && Number.isFinite(y)).sort((a, b) => a - b);
  const hi = ys[ys.length - 1];
  const p5 = ys[Math.floor(0.05 * (ys.length - 1))];
  const pad = Math.max((hi - p5) * 0.05, 0.01);
  const lo = p5 - pad;
  return { domain: [lo, hi + pad], below: values.filter((v) => typeof v.value === 'number' && v.value < lo).length };
}

/** Black-box search: every evaluated candidate as a grey point, the best so far as a step line. */
export function candidatesChart(o: CandidatesOptions): TopLevelSpec {
  const domain = ['evaluated candidate', 'best so far (by search signal)'];
  const colour = { field: 'series', type: 'nominal', scale: { domain, range: ['#8c8c8c', '#0072B2'] }, legend: { title: null, orient: 'bottom', direction: 'horizontal', labelLimit: 280 } };
  const x = { field: 'query', type: 'quantitative', title: 'queries (architectures evaluated)', axis: integerAxis(o.values, 'query'), scale: { nice: false } };
  const y = { type: 'quantitative', title: axisTitle(o.yTitle), scale: { domain: candidatesDomain(o.values).domain, nice: false } };
  return frame(o.title, o.values, 420, 240, [
      { transform: [{ calculate: `'${domain[0]}'`, as: 'series' }], mark: { type: 'point', filled: true, size: 18, opacity: 0.55, clip: true, aria: false }, encoding: { x, y: { field: 'value', ...y }, color: colour, shape: { value: 'circle' } } },
      { transform: [{ calculate: `'${domain[1]}'`, as: 'series' }], mark: { type: 'line', interpolate: 'step-after', strokeWidth: 2.2, clip: true }, encoding: { x, y: { field: 'best', ...y }, color: colour } },
  ]);
}

/** Horizontal bars, e.g. per-class test accuracy, with the value printed at each bar's end. */
export function barChart(o: { title: string; values: Datum[]; category: string; value: string; categoryTitle: string; valueTitle: string; domain?: [number, number] }): TopLevelSpec {
  const y = { field: o.category, type: 'nominal', sort: null, title: o.categoryTitle };
  const x = { field: o.value, type: 'quantitative', title: o.valueTitle, ...(o.domain ? { scale: { domain: o.domain } } : {}) };
  return frame(o.title, o.values, 300, { step: 18 }, [
    { mark: { type: 'bar', color: '#0072B2' }, encoding: { x, y } },
    { mark: { type: 'text', align: 'left', dx: 3, fontSize: 10 }, encoding: { x, y, text: { field: o.value, type: 'quantitative', format: '.1f' } } },
  ]);
}

/** Confusion matrix: colour = share of the true class's images (%), text = image count. */
export function confusionChart(o: { title: string; values: Datum[]; classes: string[] }): TopLevelSpec {
  const x = { field: 'predicted', type: 'nominal', sort: o.classes, title: 'predicted class', axis: { labelAngle: -40 } };
  const y = { field: 'true', type: 'nominal', sort: o.classes, title: 'true class' };
  const step = o.classes.length > 20 ? 12 : 30;
  const counts = { mark: { type: 'text', fontSize: 9 }, encoding: { x, y, text: { field: 'count', type: 'quantitative' }, color: { condition: { test: 'datum.share > 55', value: 'black' }, value: 'white' } } };
  return frame(o.title, o.values, { step }, { step }, [
    { mark: { type: 'rect', aria: false }, encoding: { x, y, color: { field: 'share', type: 'quantitative', title: ['share of the', 'true class (%)'], scale: { scheme: 'viridis', domain: [0, 100] } } } },
    ...(o.classes.length > 20 ? [] : [counts]),
  ]);
}

/** One point per run, grouped by category (e.g. final test accuracy per strategy over seeds). */
export function stripChart(o: { title: string; values: Datum[]; category: string; value: string; valueTitle: string; categoryTitle: string }): TopLevelSpec {
  return frame(o.title, o.values, 300, { step: 26 }, [
    { mark: { type: 'boxplot', extent: 'min-max', opacity: 0.35, size: 16 }, encoding: { y: { field: o.category, type: 'nominal', title: o.categoryTitle }, x: { field: o.value, type: 'quantitative', title: o.valueTitle, scale: { zero: false } } } },
    { mark: { type: 'point', filled: true, size: 26, color: '#000' }, encoding: { y: { field: o.category, type: 'nominal' }, x: { field: o.value, type: 'quantitative' } } },
  ]);
}
