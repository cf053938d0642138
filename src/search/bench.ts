/**
 * The benchmarks of the black-box searchers on a tabular benchmark (NAS-Bench-201, NAS-Bench-101):
 * each strategy runs `runs` times (seeds seed, seed+1, …) with a budget of `budget` table queries;
 * the result per run is the reported (test) accuracy of the architecture with the best signal
 * (validation accuracy) found. Written as a table (mean ± std over runs, as the benchmark papers
 * report), the per-run results and the anytime curves (mean best test accuracy vs queries).
 */
import * as path from 'path';
import { writeCsv } from '../io/csv';
import { Progress } from '../io/progress';
import { getSpace } from '../space/spaces';
import type { Evaluator } from './evaluators/registry';
import { makeSearcher } from './blackbox/registry';
import { searchLoop } from './blackbox/run';

/**
 * Published results, search on CIFAR-10, test accuracy % (Dong & Yang, ICLR 2020, Table 5; the
 * searchers there ran with a simulated budget of 12,000 s of training time per search).
 */
export const NB201_PAPER_CIFAR10: Record<string, string> = {
  random: '93.70 ± 0.36',
  evolution: '93.92 ± 0.30 (REA)',
  reinforce: '93.85 ± 0.37',
  bohb: '93.61 ± 0.52',
  optimum: '94.37',
};

/**
 * Published NAS-Bench-101 results at 150 queries, mean test accuracy % of the best architecture
 * found (White et al., BANANAS, AAAI 2021, as collected in issue #16); the predictor searcher is
 * tfnas's BANANAS-style search (path encoding, MLP ensemble).
 */
export const NB101_PAPER_150: Record<string, string> = {
  random: '93.66',
  evolution: '93.89 (REA)',
  predictor: '94.08 (BANANAS)',
};

export interface BenchRun {
  strategy: string;
  seed: number;
  best: string;
  signal: number;
  test: number;
  seconds: number;
  /** Best-so-far test accuracy after each query (index q-1). */
  curve: number[];
}

export interface BenchRow {
  strategy: string;
  runs: number;
  budget: number;
  mean: number;
  std: number;
  min: number;
  max: number;
  seconds_per_run: number;
}

export function meanStd(v: readonly number[]): { mean: number; std: number } {
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  // Sample standard deviation (n-1) over the runs.
  const std = v.length > 1 ? Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (v.length - 1)) : 0;
  return { mean, std };
}

/** One search with a fresh evaluator (`newEvaluator(seed)`) on `space`. */
export async function benchOne(strategy: string, space: string, newEvaluator: (seed: number) => Evaluator, budget: number, seed: number): Promise<BenchRun> {
  const t0 = Date.now();
  const searcher = makeSearcher(strategy, getSpace(space), { seed });
  const evaluator = newEvaluator(seed);
  const curve: number[] = [];
  const best = await searchLoop(searcher, evaluator, budget, 0, null, (r) => curve.push(r.best.testAccuracy ?? NaN));
  return { strategy, seed, best: best!.key, signal: best!.signal, test: best!.testAccuracy ?? NaN, seconds: (Date.now() - t0) / 1000, curve };
}

export interface BenchConfig {
  strategies: string[];
  runs: number;
  budget: number;
  seed: number;
  space: string;
  /** A fresh evaluator for the run with this seed (table look-ups, so cheap). */
  newEvaluator: (seed: number) => Evaluator;
  outDir: string;
  quiet?: boolean;
}

export async function runBench(c: BenchConfig): Promise<{ rows: BenchRow[]; runs: BenchRun[] }> {
  const all: BenchRun[] = [];
  const rows: BenchRow[] = [];
  for (const strategy of c.strategies) {
    const progress = new Progress(`bench ${strategy}`, c.runs, process.stderr, c.quiet);
    const runs: BenchRun[] = [];
    for (let r = 0; r < c.runs; r++) {
      runs.push(await benchOne(strategy, c.space, c.newEvaluator, c.budget, c.seed + r));
      progress.update(r + 1, { test: meanStd(runs.map((x) => x.test)).mean });
    }
    progress.stop();
    const tests = runs.map((x) => x.test);
    const { mean, std } = meanStd(tests);
    const seconds = runs.reduce((a, x) => a + x.seconds, 0) / runs.length;
    rows.push({ strategy, runs: c.runs, budget: c.budget, mean, std, min: Math.min(...tests), max: Math.max(...tests), seconds_per_run: seconds });
    all.push(...runs);
  }
  writeOutputs(c, rows, all);
  return { rows, runs: all };
}

function writeOutputs(c: BenchConfig, rows: BenchRow[], runs: BenchRun[]): void {
  // Accuracies are fractions (6 decimals keep the table's 4 decimals of percent).
  const r4 = (v: number) => Number(v.toFixed(6));
  writeCsv(
    path.join(c.outDir, 'table.csv'),
    ['strategy', 'runs', 'budget', 'mean', 'std', 'min', 'max', 'seconds_per_run'],
    rows.map((r) => ({ ...r, mean: r4(r.mean), std: r4(r.std), min: r4(r.min), max: r4(r.max), seconds_per_run: r4(r.seconds_per_run) })),
  );
  writeCsv(
    path.join(c.outDir, 'runs.csv'),
    ['strategy', 'seed', 'best', 'signal', 'test_accuracy', 'seconds'],
    runs.map((r) => ({ strategy: r.strategy, seed: r.seed, best: r.best, signal: r.signal, test_accuracy: r.test, seconds: r4(r.seconds) })),
  );
  const curveRows = c.strategies.flatMap((s) => {
    const mine = runs.filter((r) => r.strategy === s);
    return Array.from({ length: c.budget }, (_, q) => {
      const { mean, std } = meanStd(mine.map((r) => r.curve[q]));
      return { strategy: s, query: q + 1, mean_best_test_accuracy: r4(mean), std: r4(std) };
    });
  });
  writeCsv(path.join(c.outDir, 'curves.csv'), ['strategy', 'query', 'mean_best_test_accuracy', 'std'], curveRows);
}

/**
 * The result table as markdown, in percent (as the papers print it; accuracies are fractions), with
 * the published numbers (`paper`, titled `paperTitle`) beside it.
 */
export function formatBenchTable(rows: BenchRow[], paper: Record<string, string>, paperTitle: string, optimum: number): string {
  const pct = (v: number) => (100 * v).toFixed(2);
  const lines = [
    `| strategy | runs | budget (queries) | test accuracy % (mean ± std) | min | max | s/run | published (${paperTitle}) |`,
    `|---|---|---|---|---|---|---|---|`,
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.strategy} | ${r.runs} | ${r.budget} | ${pct(r.mean)} ± ${pct(r.std)} | ${pct(r.min)} | ${pct(r.max)} | ${r.seconds_per_run.toFixed(2)} | ${paper[r.strategy] ?? '–'} |`,
    );
  }
  lines.push(`| optimum | | | ${pct(optimum)} | | | | ${paper.optimum ?? '–'} |`);
  return lines.join('\n');
}
