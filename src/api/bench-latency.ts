/**
 * `benchLatency(options)`: what `tfnas bench latency` measures, as a library call. The latency
 * table of a space's ops (every candidate op at every position of the network, median of repeated
 * runs after warm-up; latency/measure.ts) on a Node backend, or with `browser` in headless Chromium
 * on a browser backend (latency/browser/), written to `out`, and the predictor checked against
 * whole networks of random cells. With `genotype`: the measured latency of those cells' networks
 * instead. The result is the `--json` summary plus the lines the command prints.
 */
import * as path from 'path';
import { TfnasError } from '../io/errors';
import { writeCsv } from '../io/csv';
import { BACKEND_OPTION, JSON_OPTION } from '../cli/common';
import { checks, CONFIG_OPTION, type OptionSpecs, type Values } from '../cli/options';
import { logOf, readApiOptions, startApiBackend, type ApiOptions, type RunControls } from './options';
import { DEFAULT_NETWORK, type LatencyNetwork, type LatencySpace, networkProblem } from '../latency/positions';
import { measureLatencyTable, measuredNetworkLatencies, type TimingOptions, type Validation } from '../latency/measure';
import { nodeEnvironment } from '../latency/machine';
import { type LatencyTable, readLatencyTable, writeLatencyTable } from '../latency/table';
import { predictLatency } from '../latency/predictor';
import { correlateWithDevices, readHwNasBench } from '../latency/hw-nas-bench';
import { resolveGenotype } from '../space/genotype';
import type { DartsGenotype, Nb201Genotype } from '../space/genotype-types';
import { BROWSER_BACKENDS, type BrowserBackend, type BrowserFacts } from '../latency/browser/protocol';
import { runInBrowser } from '../latency/browser/chromium';

/** Every option of `tfnas bench latency` (see src/cli/options.ts). */
export const BENCH_LATENCY_OPTIONS = {
  space: { type: 'string', default: 'darts', choices: ['darts', 'nb201'], describe: 'search space whose ops and network are measured' },
  'init-channels': { type: 'number', check: checks.int(2), describe: 'initial channels C of the network', defaultDescription: '16' },
  layers: { type: 'number', check: checks.int(1), describe: 'darts: cells; nb201: cells per stage', defaultDescription: 'darts 8, nb201 5' },
  size: { type: 'number', default: 32, check: checks.int(4), describe: 'input height and width' },
  batch: { type: 'number', default: 1, check: checks.int(1), describe: 'images per forward pass (1: one image, as an app)' },
  'num-classes': { type: 'number', default: 10, check: checks.int(2), describe: 'classifier outputs' },
  repeats: { type: 'number', default: 20, check: checks.int(1), describe: 'timed runs per op and network; the median is kept' },
  warmup: { type: 'number', default: 5, check: checks.int(0), describe: 'untimed runs first' },
  calibration: { type: 'number', default: 5, check: checks.int(1), describe: 'random cells whose measured networks give the fixed part' },
  validate: { type: 'number', default: 50, check: checks.int(0), describe: 'random cells whose measured latency checks the predictor (0: none)' },
  seed: { type: 'number', default: 0, check: checks.int(0), describe: 'seed of the inputs and of the random cells' },
  'hw-nas-bench': { type: 'string', describe: '--space nb201: HW-NAS-Bench CSV (scripts/hw_nas_bench_to_csv.py); prints the rank correlation of the predicted latencies with each device\'s' },
  genotype: { type: 'strings', describe: 'instead of a table: measure the whole networks of these cells (run folders, built-in names, strings), interleaved' },
  'latency-table': { type: 'string', describe: 'with --genotype: also print each cell\'s latency predicted by this table (its network is the one measured)' },
  browser: {
    type: 'string', choices: [...BROWSER_BACKENDS],
    describe: 'measure in headless Chromium (Debian: apt-get install chromium) on this browser backend, on a page served from 127.0.0.1, instead of in Node (--backend)',
  },
  out: { type: 'string', describe: 'latency table file (JSON)', defaultDescription: 'results/latency/<space>-<backend>.json (--browser: <space>-chromium-<browser>.json)' },
  ...JSON_OPTION,
  ...BACKEND_OPTION,
  ...CONFIG_OPTION,
} as const satisfies OptionSpecs;

type Args = Values<typeof BENCH_LATENCY_OPTIONS> & { given: Record<string, unknown> };
export type BenchLatencyOptions = ApiOptions<typeof BENCH_LATENCY_OPTIONS> & Pick<RunControls, 'log' | 'signal'>;

/** The browser a measurement ran in (`browser` option). */
export interface BrowserRecord extends BrowserFacts {
  backend: BrowserBackend;
  version: string;
}

/** A latency table measured and written (the `--json` summary, plus the table and the lines printed). */
export interface LatencyTableResult {
  kind: 'table';
  space: LatencySpace;
  /** `wasm`, …; in a browser `chromium/<backend>`. */
  backend: string;
  network: LatencyNetwork;
  out: string;
  entries: number;
  fixedMs: number;
  baselineMs: number;
  /** The predictor's check on `validate` random cells (absent with validate 0). */
  cells?: number;
  spearman?: number;
  meanRelError?: number;
  /** Spearman of the predicted latencies with each HW-NAS-Bench device's (`hwNasBench`). */
  hwNasBenchSpearman?: Record<string, number>;
  browser?: BrowserRecord;
  table: LatencyTable;
  validation: Validation | null;
  text: string[];
}

/** The measured latency of the networks of given cells (`genotype`). */
export interface CellLatencyResult {
  kind: 'cells';
  backend: string;
  network: LatencyNetwork;
  cells: { genotype: string; measuredMs: number; predictedMs?: number }[];
  browser?: BrowserRecord;
  text: string[];
}

export type BenchLatencyResult = LatencyTableResult | CellLatencyResult;

/** Checks the options that depend on each other; the network measured. */
function checkArgs(a: Args): LatencyNetwork {
  const space = a.space as LatencySpace;
  const d = DEFAULT_NETWORK[space];
  const network: LatencyNetwork = { space, channels: a.initChannels ?? d.channels, layers: a.layers ?? d.layers, size: a.size, batch: a.batch, numClasses: a.numClasses };
  const problem = networkProblem(network);
  if (problem) throw new TfnasError(problem);
  if (a.hwNasBench !== undefined && space !== 'nb201') throw new TfnasError('--hw-nas-bench: HW-NAS-Bench\'s latencies are of NAS-Bench-201 cells; use --space nb201');
  if (a.latencyTable !== undefined && !a.genotype) throw new TfnasError('--latency-table: predicts the latency of --genotype cells; give --genotype too');
  if (a.browser !== undefined && a.given.backend !== undefined) {
    throw new TfnasError(`--backend: with --browser the measurement runs in Chromium on its ${a.browser} backend, not in Node; give one of --backend and --browser`);
  }
  return network;
}

/** Measures the latency table (or, with `genotype`, the cells' networks); see the module comment. */
export async function benchLatency(options: BenchLatencyOptions = {}): Promise<BenchLatencyResult> {
  const { values: a } = readApiOptions(options as Record<string, unknown>, BENCH_LATENCY_OPTIONS, 'bench latency');
  const network = checkArgs(a);
  const log = logOf(options);
  const bench = a.hwNasBench !== undefined ? readHwNasBench(a.hwNasBench, '--hw-nas-bench') : null;
  const timing: TimingOptions = { repeats: a.repeats, warmup: a.warmup, seed: a.seed };
  const browser = a.browser as BrowserBackend | undefined;
  const run = { browser, timing, log, signal: options.signal };
  if (a.genotype) return measureCells(a.genotype, a.latencyTable !== undefined ? readLatencyTable(a.latencyTable) : null, network, run, a.backend);
  const m = await measureTable(network, { ...run, calibration: a.calibration, validate: a.validate }, a.backend);
  const out = a.out ?? path.join('results', 'latency', `${network.space}-${m.table.backend.replace('/', '-')}.json`);
  const { table, validation } = m;
  const text = [`latency table: ${Object.keys(table.ops).length} entries, fixed part ${table.fixedMs} ms, baseline ${table.baselineMs} ms per call`];
  const v = validation ? { cells: validation.cells, spearman: validation.spearman, meanRelError: validation.meanRelError } : null;
  writeLatencyTable(out, { ...table, ...(v ? { validation: { cells: v.cells, spearman: v.spearman, mean_rel_error: v.meanRelError } } : {}) });
  if (validation) {
    writeCsv(out.replace(/\.json$/, '') + '-validation.csv', ['cell', 'predicted_ms', 'measured_ms'], validation.rows.map((r) => ({ cell: r.cell, predicted_ms: r.predictedMs, measured_ms: r.measuredMs })));
    text.push(`predictor on ${validation.cells} random cells: Spearman ${validation.spearman}, mean relative error ${validation.meanRelError}`);
  }
  const devices = bench ? correlateWithDevices(table, bench) : null;
  if (devices) text.push(`Spearman with HW-NAS-Bench's devices over ${bench!.rows.size} cells: ${Object.entries(devices).map(([d, r]) => `${d} ${r}`).join(', ')}`);
  text.push(`wrote ${out}`);
  return {
    kind: 'table', space: network.space, backend: table.backend, network, out, entries: Object.keys(table.ops).length, fixedMs: table.fixedMs, baselineMs: table.baselineMs,
    ...(v ?? {}), ...(devices ? { hwNasBenchSpearman: devices } : {}), ...(m.browser ? { browser: m.browser } : {}), table, validation, text,
  };
}

interface RunContext {
  browser?: BrowserBackend;
  timing: TimingOptions;
  log: (line: string) => void;
  signal?: AbortSignal;
}

/** What the result records of the browser a page answer came from. */
function browserRecord(backend: BrowserBackend, answer: { browserVersion: string; facts: BrowserFacts }): BrowserRecord {
  return { backend, version: answer.browserVersion, ...answer.facts };
}

/** The table, measured in Node on `backend` or in the browser. */
async function measureTable(network: LatencyNetwork, r: RunContext & { calibration: number; validate: number }, backend: string): Promise<{ table: LatencyTable; validation: Validation | null; browser?: BrowserRecord }> {
  const env = nodeEnvironment();
  const onProgress = (what: string) => r.log(`  ${what}`);
  if (!r.browser) {
    const used = await startApiBackend(backend, r.log);
    return measureLatencyTable(network, { ...r.timing, ...env, backend: used, calibration: r.calibration, validate: r.validate, onProgress, signal: r.signal });
  }
  r.log(`measuring in headless chromium on its ${r.browser} backend`);
  const answer = await runInBrowser({ kind: 'table', backend: r.browser, network, timing: r.timing, calibration: r.calibration, validate: r.validate, ...env }, { onLine: onProgress, signal: r.signal });
  if (answer.kind !== 'table') throw new Error(`bench latency --browser: the page answered ${answer.kind} to a table request`);
  const browser = browserRecord(r.browser, answer);
  return { table: { ...answer.table, versions: { ...answer.table.versions, chromium: answer.browserVersion } }, validation: answer.validation, browser };
}

/**
 * `genotype`: the measured latency of each cell's whole network (the table's network when
 * `latencyTable` is given, else the options'), and the table's prediction.
 */
async function measureCells(args: string[], table: LatencyTable | null, given: LatencyNetwork, r: RunContext, backend: string): Promise<CellLatencyResult> {
  const network = table?.network ?? given;
  const cells = args.map((g) => resolveGenotype(g, { allowNb201: true }));
  for (const c of cells) if (c.space !== network.space) throw new TfnasError(`--genotype: ${c.source} is a ${c.space} cell; the network is of the ${network.space} space`);
  const genotypes = cells.map((c) => c.genotype as DartsGenotype | Nb201Genotype);
  let measured: number[];
  let used: string;
  let browser: BrowserRecord | undefined;
  if (r.browser) {
    const answer = await runInBrowser({ kind: 'cells', backend: r.browser, network, timing: r.timing, genotypes }, { onLine: (l) => r.log(`  ${l}`), signal: r.signal });
    if (answer.kind !== 'cells') throw new Error(`bench latency --browser: the page answered ${answer.kind} to a cells request`);
    [measured, used, browser] = [answer.measured, `chromium/${r.browser}`, browserRecord(r.browser, answer)];
  } else {
    used = await startApiBackend(backend, r.log);
    measured = await measuredNetworkLatencies(network, genotypes, { ...r.timing, signal: r.signal });
  }
  const rows = cells.map((c, i) => ({
    genotype: c.source, measuredMs: Number(measured[i].toFixed(4)),
    ...(table ? { predictedMs: Number(predictLatency(table, genotypes[i]).toFixed(4)) } : {}),
  }));
  const text = rows.map((row) => `${row.genotype}: measured ${row.measuredMs} ms${row.predictedMs !== undefined ? `, predicted ${row.predictedMs} ms` : ''}`);
  return { kind: 'cells', backend: used, network, cells: rows, ...(browser ? { browser } : {}), text };
}
