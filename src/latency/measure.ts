/**
 * Latency measurement: a call is timed from its start until its output has been read back (so the
 * backend has really finished), the median of `repeats` timed calls after `warmup` untimed ones
 * (the first calls allocate the wasm heap and build XNNPACK operators). Builds a whole latency
 * table (every op at every position, the baseline, the fixed part) and checks the predictor
 * against whole networks of random cells.
 */
import * as os from 'os';
import * as tf from '@tensorflow/tfjs';
import { median } from '../backend/op-bench';
import type { DartsGenotype, Nb201Genotype } from '../space/genotype-types';
import { getSpace } from '../space/spaces';
import { Rng } from '../space/rng';
import { versions } from '../io/run-config';
import { LatencyNetwork, Position, SPACE_OPS, distinctPositions, positionKey } from './positions';
import { LatencyTable } from './table';
import { baselineRunnable, isIdentity, networkRunnable, opRunnable, Runnable } from './networks';
import { meanRelativeError, predictLatency, spearman } from './predictor';

export interface TimingOptions {
  repeats: number;
  warmup: number;
  seed: number;
  /**
   * Shortest timed sample (ms, default 5): a fast op is run back to back until a sample lasts this
   * long and the sample is divided by the count. A sub-millisecond call mostly fits in one
   * scheduler slice while a whole network does not, so on a loaded machine single calls would
   * time the ops at full speed and the networks at a share of it.
   */
  minSampleMs?: number;
}

/** Median latency (ms) of one call of a runnable on a seeded random batch; everything it makes is freed. */
export async function timeRunnable(r: Runnable, batch: number, o: TimingOptions): Promise<number> {
  const x = tf.randomNormal([batch, ...r.inputShape], 0, 1, 'float32', o.seed) as tf.Tensor4D;
  const sample = async (calls: number): Promise<number> => {
    const t0 = performance.now();
    for (let i = 0; i < calls - 1; i++) tf.tidy(() => r.run(x)).dispose();
    const y = tf.tidy(() => r.run(x));
    await y.data();
    const ms = performance.now() - t0;
    y.dispose();
    return ms / calls;
  };
  try {
    let single = await sample(1);
    for (let i = 1; i < o.warmup; i++) single = await sample(1);
    const calls = Math.max(1, Math.min(1000, Math.ceil((o.minSampleMs ?? 5) / Math.max(single, 1e-3))));
    const times: number[] = [];
    for (let i = 0; i < o.repeats; i++) times.push(await sample(calls));
    return median(times);
  } finally {
    x.dispose();
  }
}

async function timeBuilt(build: () => Runnable, batch: number, o: TimingOptions): Promise<number> {
  const r = build();
  try {
    return await timeRunnable(r, batch, o);
  } finally {
    r.dispose();
  }
}

/** Random genotypes of a space, seeded (the same seed gives the same cells). */
export function randomGenotypes(space: LatencyNetwork['space'], count: number, seed: number): (DartsGenotype | Nb201Genotype)[] {
  const rng = new Rng(seed);
  const s = getSpace(space);
  return Array.from({ length: count }, () => s.sample(rng) as DartsGenotype | Nb201Genotype);
}

export function measuredNetworkLatency(n: LatencyNetwork, g: DartsGenotype | Nb201Genotype, o: TimingOptions): Promise<number> {
  return timeBuilt(() => networkRunnable(n, g), n.batch, o);
}

export interface MeasureOptions extends TimingOptions {
  backend: string;
  /** Random cells whose measured latency minus their ops' sum gives the fixed part (median). */
  calibration: number;
  onProgress?: (what: string, done: number, total: number) => void;
}

/** The machine a table was measured on. */
export function machineInfo(): Record<string, string | number> {
  const cpus = os.cpus();
  return { hostname: os.hostname(), platform: os.platform(), arch: os.arch(), cpu: cpus[0]?.model ?? 'unknown', cores: cpus.length, memory_gib: Math.round(os.totalmem() / 2 ** 30) };
}

/** Measures every op (except `none`) at every position of the network, the baseline and the fixed part. */
export async function measureLatencyTable(n: LatencyNetwork, o: MeasureOptions): Promise<LatencyTable> {
  const positions = distinctPositions(n);
  const ops = SPACE_OPS[n.space].filter((op) => op !== 'none');
  const total = positions.length * ops.length;
  const baselines = new Map<string, number>();
  const table: LatencyTable = {
    format: 'tfnas-latency-table', version: 1, network: n, backend: o.backend, machine: machineInfo(), versions: versions(),
    repeats: o.repeats, warmup: o.warmup, baselineMs: 0, fixedMs: 0, ops: {}, created: new Date().toISOString(),
  };
  let done = 0;
  for (const p of positions) {
    const base = await timeBuilt(() => baselineRunnable(n.space, p), n.batch, o);
    baselines.set(positionKey('', p), base);
    for (const op of ops) {
      const ms = isIdentity(n.space, op, p) ? 0 : (await timeBuilt(() => opRunnable(n.space, op, p), n.batch, o)) - base;
      table.ops[positionKey(op, p)] = round(Math.max(0, ms));
      o.onProgress?.(`${op} ${describePosition(p)}`, ++done, total);
    }
  }
  table.baselineMs = round(median([...baselines.values()]));
  table.fixedMs = await calibrateFixed(table, o);
  return table;
}

/** The fixed part: median over seeded random cells of (measured network − Σ its edges' op latencies). */
async function calibrateFixed(t: LatencyTable, o: MeasureOptions): Promise<number> {
  const cells = randomGenotypes(t.network.space, o.calibration, o.seed + 1_000_003);
  const rest: number[] = [];
  for (const [i, g] of cells.entries()) {
    const measured = await measuredNetworkLatency(t.network, g, o);
    rest.push(measured - predictLatency({ ...t, fixedMs: 0 }, g));
    o.onProgress?.('fixed part (calibration cell)', i + 1, cells.length);
  }
  return round(median(rest));
}

export interface Validation {
  cells: number;
  spearman: number;
  meanRelError: number;
  rows: { cell: string; predictedMs: number; measuredMs: number }[];
}

/** Predicted against measured whole-network latency on `count` seeded random cells (not the calibration ones). */
export async function validatePredictor(t: LatencyTable, count: number, o: TimingOptions & { onProgress?: MeasureOptions['onProgress'] }): Promise<Validation> {
  const space = getSpace(t.network.space);
  const cells = randomGenotypes(t.network.space, count, o.seed);
  const rows: Validation['rows'] = [];
  for (const [i, g] of cells.entries()) {
    rows.push({ cell: space.key(g), predictedMs: round(predictLatency(t, g)), measuredMs: round(await measuredNetworkLatency(t.network, g, o)) });
    o.onProgress?.('whole network (validation cell)', i + 1, cells.length);
  }
  const pred = rows.map((r) => r.predictedMs);
  const meas = rows.map((r) => r.measuredMs);
  return { cells: count, spearman: round(spearman(pred, meas)), meanRelError: round(meanRelativeError(pred, meas)), rows };
}

export function describePosition(p: Position): string {
  return `${p.channels}ch ${p.size}×${p.size} stride ${p.stride}`;
}

function round(v: number): number {
  return Math.round(v * 1e4) / 1e4;
}
