/**
 * The latency term in a DARTS search run (search/darts/search.ts): the ArchObjective set on the
 * architect every epoch, and the log.csv columns that show its effect: the expected latency of the
 * current α and the predicted latency of the cell derived from it.
 */
import type { Row } from '../io/csv';
import type { Supernet } from '../nets/supernet';
import type { DartsGenotype, Nb201Genotype } from '../space/genotype-types';
import { LatencyObjectiveConfig, LatencyTerm, latencyTerm } from './objective';
import { expectedLatency, predictLatency } from './predictor';

export const LATENCY_LOG_COLUMNS = ['expected_latency_ms', 'predicted_latency_ms'];

export function latencyTermFor(c: LatencyObjectiveConfig | null, net: Supernet): LatencyTerm | null {
  if (!c) return null;
  return latencyTerm(c, net.space, Object.fromEntries(Object.entries(net.alphas).map(([k, v]) => [k, v.shape])));
}

/** log.csv's latency columns for softmax(α) `weights` and the cell derived from them. */
export function latencyLogColumns(term: LatencyTerm | null, weights: Record<string, number[][]>, genotype: DartsGenotype | Nb201Genotype): Row {
  if (!term) return {};
  const r = (v: number) => Number(v.toFixed(4));
  return { expected_latency_ms: r(expectedLatency(term.table, weights)), predicted_latency_ms: r(predictLatency(term.table, genotype)) };
}

/** The run summary's latency fields: the target and the derived cell's predicted latency. */
export function latencySummary(term: LatencyTerm | null, genotype: DartsGenotype | Nb201Genotype): Record<string, number> {
  if (!term) return {};
  return { latencyTargetMs: Number(term.target.toFixed(4)), predictedLatencyMs: Number(predictLatency(term.table, genotype).toFixed(4)) };
}
