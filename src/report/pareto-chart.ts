/**
 * The Pareto front of a latency-aware black-box search (pareto.csv, latency/constraint.ts): search
 * signal against predicted latency, a step line through the front (no queried cell is both faster
 * and better than a point on it).
 */
import type { TopLevelSpec } from 'vega-lite';
import { figure } from './page';
import type { CsvRow } from './runs';
import { renderChart } from './vega';

export function paretoChart(rows: readonly CsvRow[], yTitle: string): TopLevelSpec {
  const values = rows.map((r) => ({ latency: Number(r.latency_ms), signal: Number(r.signal), architecture: r.architecture }));
  const x = { field: 'latency', type: 'quantitative', title: 'predicted latency (ms)', scale: { zero: false } };
  const y = { field: 'signal', type: 'quantitative', title: yTitle, scale: { zero: false } };
  return {
    title: 'Pareto front: accuracy against latency',
    width: 420,
    height: 240,
    data: { values },
    layer: [
      { mark: { type: 'line', interpolate: 'step-after' }, encoding: { x, y } },
      { mark: { type: 'point', filled: true, size: 40 }, encoding: { x, y, tooltip: [{ field: 'architecture' }, { field: 'latency' }, { field: 'signal' }] } },
    ],
  } as unknown as TopLevelSpec;
}

/** The front's figure, or '' where the run has no pareto.csv. */
export async function paretoFigure(rows: readonly CsvRow[], yTitle: string): Promise<string> {
  if (rows.length === 0) return '';
  const svg = await renderChart(paretoChart(rows, yTitle));
  return figure(svg, `The ${rows.length} cells of the Pareto front of the queried cells (pareto.csv): none of the others is both faster and better by search signal.`);
}
