/**
 * Latency for the black-box searchers: a latency model of genotypes (the predictor on a table of
 * `tfnas bench latency`), a searcher wrapper that only lets cells within `--max-latency` reach the
 * evaluator, and the Pareto front of accuracy against latency (`pareto.csv`).
 */
import * as fs from 'fs';
import * as path from 'path';
import { readCsv, writeCsv } from '../io/csv';
import { UsageError } from '../io/errors';
import type { Genotype, SearchSpace } from '../space/spaces';
import type { DartsGenotype, Nb201Genotype } from '../space/genotype-types';
import type { Searcher, SearcherState, Scored } from '../search/blackbox/searcher';
import { predictLatency } from './predictor';
import { readLatencyTable } from './table';
import { hwLatencyModel, isHwNasBenchFile, readHwNasBench } from './hw-nas-bench';

/** Latency (ms) of a genotype. */
export type LatencyModel = (g: Genotype) => number;

/**
 * The latency model of `--latency-table FILE`: the predictor on a tfnas table (JSON), or one
 * device's column of an HW-NAS-Bench CSV (`device`, NAS-Bench-201 only).
 */
export function latencyModelFromTable(file: string, space: string, device?: string): LatencyModel {
  if (isHwNasBenchFile(file)) {
    if (space !== 'nb201') throw new UsageError(`--latency-table: ${file} is an HW-NAS-Bench table (NAS-Bench-201 cells); this search is on ${space}`);
    if (device === undefined) throw new UsageError(`--latency-device: needed with the HW-NAS-Bench table ${file} (one of its device columns)`);
    return hwLatencyModel(readHwNasBench(file), device);
  }
  if (device !== undefined) throw new UsageError(`--latency-device: only with an HW-NAS-Bench table (.csv); ${file} is a tfnas table of one backend`);
  const t = readLatencyTable(file);
  if (t.network.space !== space) throw new UsageError(`--latency-table: ${file} was measured for the ${t.network.space} space; this search is on ${space}`);
  return (g) => predictLatency(t, g as DartsGenotype | Nb201Genotype);
}

/** A proposal the constraint rejects is told this score (below every accuracy) and never evaluated. */
export const INFEASIBLE_SCORE = 0;
/** Proposals tried for one feasible cell before the constraint is declared unreachable. */
export const MAX_PROPOSALS = 10_000;

/**
 * Wraps a searcher so that `ask` only returns cells with latency ≤ `maxMs`: a slower proposal is
 * told INFEASIBLE_SCORE (so evolution drops it and the predictors learn the region is bad) and
 * the searcher is asked again. Rejections cost no evaluator query (the latency is known without
 * training), so the budget is spent on feasible cells only.
 */
export function constrainSearcher(inner: Searcher<Genotype>, latency: LatencyModel, maxMs: number): Searcher<Genotype> {
  return {
    name: inner.name,
    space: inner.space,
    async ask() {
      for (let i = 0; i < MAX_PROPOSALS; i++) {
        const g = await inner.ask();
        if (latency(g) <= maxMs) return g;
        inner.tell(g, INFEASIBLE_SCORE);
      }
      throw new UsageError(`--max-latency: no cell of ${MAX_PROPOSALS} proposals has a latency ≤ ${maxMs} ms; raise the limit`);
    },
    tell: (g, s) => inner.tell(g, s),
    capacity: (p) => inner.capacity(p),
    best: () => inner.best(),
    history: (): readonly Scored[] => inner.history(),
    state: (): SearcherState => inner.state(),
    restore: (s) => inner.restore(s),
  };
}

export interface FrontPoint {
  architecture: string;
  signal: number;
  testAccuracy: number | null;
  latencyMs: number;
}

/** The points no other point beats on both (higher signal, lower latency), by increasing latency. */
export function paretoFront<P extends { signal: number; latencyMs: number }>(points: readonly P[]): P[] {
  const sorted = [...points].sort((a, b) => a.latencyMs - b.latencyMs || b.signal - a.signal);
  const front: P[] = [];
  for (const p of sorted) if (front.length === 0 || p.signal > front[front.length - 1].signal) front.push(p);
  return front;
}

export const PARETO_COLUMNS = ['architecture', 'latency_ms', 'signal', 'test_accuracy'];

/** Reads a run's history.csv, writes pareto.csv (every distinct queried cell's front); returns the front. */
export function writePareto(runDir: string, space: SearchSpace<Genotype>, latency: LatencyModel): FrontPoint[] {
  const file = path.join(runDir, 'history.csv');
  if (!fs.existsSync(file)) return [];
  const seen = new Map<string, FrontPoint>();
  for (const r of readCsv(file)) {
    const key = String(r.architecture);
    if (seen.has(key)) continue;
    const test = r.test_accuracy === '' || r.test_accuracy === undefined ? null : Number(r.test_accuracy);
    seen.set(key, { architecture: key, signal: Number(r.signal), testAccuracy: test, latencyMs: latency(space.fromKey(key)) });
  }
  const front = paretoFront([...seen.values()]);
  const r4 = (v: number) => Number(v.toFixed(4));
  writeCsv(path.join(runDir, 'pareto.csv'), PARETO_COLUMNS, front.map((p) => ({ architecture: p.architecture, latency_ms: r4(p.latencyMs), signal: p.signal, test_accuracy: p.testAccuracy })));
  return front;
}
