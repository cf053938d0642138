/**
 * Reading run folders for the report: which kind of run a folder holds (DARTS-family search,
 * black-box search, retraining, `tfnas bench nb201` output) and its files as plain data. Only the
 * files tfnas itself writes are read; a run still in progress (no log yet) loads with empty logs.
 */
import * as fs from 'fs';
import * as path from 'path';
import { readJson } from '../io/atomic';
import { readCsv } from '../io/csv';
import { UsageError } from '../io/errors';

export type CsvRow = Record<string, string>;
export type Json = Record<string, unknown>;

export interface SearchRunData {
  kind: 'search';
  dir: string;
  /** config.json: { config, params, backend, recompute, versions, … }. */
  info: Json | null;
  log: CsvRow[];
  alphas: CsvRow[];
}

export interface BlackBoxRunData {
  kind: 'blackbox';
  dir: string;
  history: CsvRow[];
  best: Json | null;
  /** What the run was started with (checkpoint.json `config`: strategy, space, evaluator, seed, …). */
  identity: Json | null;
  /** A latency-aware search's Pareto front (pareto.csv; empty without one). */
  pareto?: CsvRow[];
}

export interface Confusion {
  classes: string[];
  /** matrix[true][predicted] = count. */
  counts: number[][];
}

export interface TrainRunData {
  kind: 'train';
  dir: string;
  info: Json | null;
  log: CsvRow[];
  metrics: Json | null;
  confusion: Confusion | null;
}

export interface BenchRunData {
  kind: 'bench';
  dir: string;
  table: CsvRow[];
  runs: CsvRow[];
  curves: CsvRow[];
}

export type RunData = SearchRunData | BlackBoxRunData | TrainRunData | BenchRunData;
export type RunKind = RunData['kind'];

const has = (dir: string, f: string) => fs.existsSync(path.join(dir, f));
const csv = (dir: string, f: string): CsvRow[] => (has(dir, f) ? readCsv(path.join(dir, f)) : []);
const json = (dir: string, f: string): Json | null => (has(dir, f) ? readJson<Json>(path.join(dir, f)) : null);

/** The kind of run a folder holds, or null when it is not a tfnas run folder. */
export function runKind(dir: string): RunKind | null {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) return null;
  if (has(dir, 'curves.csv') && has(dir, 'runs.csv')) return 'bench';
  if (has(dir, 'history.csv') || has(dir, 'best.json')) return 'blackbox';
  if (has(dir, 'alphas.csv')) return 'search';
  if (!has(dir, 'config.json')) return null;
  const info = readJson<Json>(path.join(dir, 'config.json'));
  if (info.command === 'train') return 'train';
  return info.config && typeof info.config === 'object' ? 'search' : null;
}

/** matrix from confusion.csv (`true_class, pred_<name>…`). */
export function parseConfusion(rows: CsvRow[]): Confusion | null {
  if (rows.length === 0) return null;
  const classes = rows.map((r) => r.true_class);
  return { classes, counts: rows.map((r) => classes.map((c) => Number(r[`pred_${c}`]))) };
}

/** Loads one run folder; throws a UsageError naming the folder when it is not a run. */
export function loadRun(dir: string): RunData {
  const kind = runKind(dir);
  switch (kind) {
    case 'search':
      return { kind, dir, info: json(dir, 'config.json'), log: csv(dir, 'log.csv'), alphas: csv(dir, 'alphas.csv') };
    case 'blackbox': {
      const ck = json(dir, 'checkpoint.json');
      return { kind, dir, history: csv(dir, 'history.csv'), best: json(dir, 'best.json'), identity: (ck?.config as Json) ?? null, pareto: csv(dir, 'pareto.csv') };
    }
    case 'train':
      return { kind, dir, info: json(dir, 'config.json'), log: csv(dir, 'log.csv'), metrics: json(dir, 'metrics.json'), confusion: parseConfusion(csv(dir, 'confusion.csv')) };
    case 'bench':
      return { kind, dir, table: csv(dir, 'table.csv'), runs: csv(dir, 'runs.csv'), curves: csv(dir, 'curves.csv') };
    default:
      throw new UsageError(
        `RUN: ${dir} is not a tfnas run folder (expected the log.csv + config.json of search or train, ` +
          'the history.csv of a black-box search, or the curves.csv of tfnas bench nb201)',
      );
  }
}

/**
 * The run folders named on the command line: each RUN that is a run folder, or else every run
 * folder directly inside it (e.g. results/search/nb201/cifar10/ holding one folder per seed).
 */
export function expandRunDirs(args: readonly string[]): string[] {
  const out: string[] = [];
  for (const a of args) {
    if (!fs.existsSync(a)) throw new UsageError(`RUN: ${a} does not exist`);
    if (!fs.statSync(a).isDirectory()) throw new UsageError(`RUN: ${a} is a file; expected a run folder`);
    if (runKind(a) !== null) {
      out.push(a);
      continue;
    }
    const inner = fs.readdirSync(a).sort().map((f) => path.join(a, f)).filter((d) => runKind(d) !== null);
    if (inner.length === 0) throw new UsageError(`RUN: ${a} is not a tfnas run folder and holds none (expected log.csv, history.csv or curves.csv)`);
    out.push(...inner);
  }
  return [...new Set(out.map((d) => path.resolve(d)))];
}
