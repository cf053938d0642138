import * as fs from 'fs';
import * as path from 'path';
import { readJson, writeJsonAtomic } from '../../io/atomic';
import { Row, readCsv, writeCsv } from '../../io/csv';
import type { Dataset } from '../../data/types';
import type { Nb201Genotype } from '../../space/genotype-types';
import { DEFAULT_NB201_TABLE, loadNb201Table } from '../tables/nb201-table';
import { DARTS_DEFAULTS, DartsConfig } from './config';
import { METHODS, MethodName, scaledWarmup } from './methods';
import { runDartsSearchLoop } from './search';

/**
 * `tfnas bench darts-nb201`: every DARTS method × seed on --space nb201, each epoch's derived cell
 * looked up in the NAS-Bench-201 table (200-epoch CIFAR-10 test accuracy). One run folder per
 * (method, seed) under `out`: a finished run (summary.json) is read back, an interrupted one
 * resumed from its checkpoint, so an interrupted bench continues where it stopped.
 */
export interface DartsBenchOptions {
  methods: MethodName[];
  seeds: number[];
  /** The search settings every run shares (batch, epochs, C, N, …); each method's preset on top. */
  base: DartsConfig;
  out: string;
  backend: string;
  log?: (line: string) => void;
}

/** Published CIFAR-10 test accuracy (%) of the final cell after the search (NAS-Bench-201, 200 epochs). */
export const PUBLISHED: Record<MethodName, string> = {
  darts: '54.30 ± 0.00 (Dong & Yang 2020, DARTS-V1 and -V2)',
  gdas: '93.51 ± 0.13 / 93.61 ± 0.09 (two versions of the benchmark paper)',
  'pc-darts': '93.41 ± 0.30 (as reported by DARTS-)',
  'darts-minus': '93.80 ± 0.40 (Chu et al. 2021)',
  'beta-darts': '94.36 ± 0.00 (Ye et al. 2022)',
};

export interface MethodResult {
  method: MethodName;
  runs: number;
  /** Mean and sample std of the final cells' test accuracy (%), over the finished runs. */
  mean: number;
  std: number;
  /** Mean skip connections in the final cell, and seconds per run. */
  skips: number;
  seconds: number;
  published: string;
}

/** One run's configuration: the base, the method's preset (warm-up scaled to the epochs), the seed. */
export function benchConfig(base: DartsConfig, method: MethodName, seed: number): DartsConfig {
  const preset: Partial<DartsConfig> = METHODS[method].settings;
  // The bench keeps one batch size and lr schedule for all methods (one data budget); the method's
  // own mechanisms, α learning rate and warm-up share come from its preset.
  const { batchSize: _b, lr: _l, lrMin: _m, ...own } = preset;
  return { ...base, ...own, method, seed, warmupEpochs: scaledWarmup(method, base.epochs), table: base.table ?? DEFAULT_NB201_TABLE, benchDataset: 'cifar10' };
}

interface RunSummary {
  test: number | null;
  skips: number;
  seconds: number;
}

async function runOne(cfg: DartsConfig, data: Dataset, dir: string, o: DartsBenchOptions): Promise<RunSummary> {
  const done = path.join(dir, 'summary.json');
  if (fs.existsSync(done)) return readJson<RunSummary>(done);
  const resume = fs.existsSync(path.join(dir, 'checkpoint')) || fs.existsSync(path.join(dir, 'config.json'));
  const s = await runDartsSearchLoop(cfg, data, { out: dir, resume, backend: o.backend, log: o.log, report: false });
  const rows = readCsv(path.join(dir, 'log.csv'));
  const e = loadNb201Table(cfg.table).lookup(s.genotype as Nb201Genotype, 'cifar10');
  const summary: RunSummary = {
    test: e ? Number((100 * e.test200).toFixed(3)) : null,
    skips: s.collapse?.skips ?? 0,
    seconds: Number(rows.reduce((t, r) => t + Number(r.seconds), 0).toFixed(1)),
  };
  writeJsonAtomic(done, { ...summary, cell: s.text, method: cfg.method, seed: cfg.seed });
  return summary;
}

/** Runs (or resumes) the bench; writes runs.csv, curves.csv and results.json; returns the table. */
export async function runDartsBench(o: DartsBenchOptions, data: Dataset): Promise<MethodResult[]> {
  fs.mkdirSync(o.out, { recursive: true });
  const runs: Row[] = [];
  const curves: Row[] = [];
  for (const method of o.methods) {
    for (const seed of o.seeds) {
      const dir = path.join(o.out, `${method}-seed-${seed}`);
      const r = await runOne(benchConfig(o.base, method, seed), data, dir, o);
      runs.push({ method, seed, test_acc: r.test, skips: r.skips, seconds: r.seconds });
      for (const row of readCsv(path.join(dir, 'log.csv'))) {
        const acc = row.nb201_test_200ep === '' ? null : Number((100 * Number(row.nb201_test_200ep)).toFixed(2));
        curves.push({ method, seed, epoch: Number(row.epoch), test_acc: acc, skips: Number(row.skips), param_free: Number(row.param_free), alpha_entropy: Number(row.alpha_entropy) });
      }
      writeCsv(path.join(o.out, 'runs.csv'), ['method', 'seed', 'test_acc', 'skips', 'seconds'], runs);
      writeCsv(path.join(o.out, 'curves.csv'), ['method', 'seed', 'epoch', 'test_acc', 'skips', 'param_free', 'alpha_entropy'], curves);
    }
  }
  const table = o.methods.map((m) => summarise(m, runs.filter((r) => r.method === m)));
  writeJsonAtomic(path.join(o.out, 'results.json'), { config: o.base, seeds: o.seeds, table });
  return table;
}

function summarise(method: MethodName, rows: Row[]): MethodResult {
  const acc = rows.map((r) => r.test_acc).filter((v): v is number => typeof v === 'number');
  const mean = acc.reduce((a, b) => a + b, 0) / Math.max(1, acc.length);
  const std = acc.length > 1 ? Math.sqrt(acc.reduce((s, v) => s + (v - mean) ** 2, 0) / (acc.length - 1)) : 0;
  const avg = (k: string) => rows.reduce((s, r) => s + Number(r[k]), 0) / Math.max(1, rows.length);
  return { method, runs: acc.length, mean, std, skips: avg('skips'), seconds: avg('seconds'), published: PUBLISHED[method] };
}

/** The Markdown table printed and put in the README. */
export function formatDartsBench(table: MethodResult[], optimum: number): string {
  const lines = [
    '| method | tfnas: CIFAR-10 test % (mean ± std) | runs | skips in final cell | s / run | published |',
    '|---|---|---|---|---|---|',
    ...table.map((r) => `| ${r.method} | ${r.mean.toFixed(2)} ± ${r.std.toFixed(2)} | ${r.runs} | ${r.skips.toFixed(1)} | ${r.seconds.toFixed(0)} | ${r.published} |`),
    `| optimum | ${(100 * optimum).toFixed(2)} | | | | 94.37 |`,
  ];
  return lines.join('\n');
}

export { DARTS_DEFAULTS };
