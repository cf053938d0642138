/**
 * Latency measurement: a call is timed from its start until its output has been read back (so the
 * backend has really finished), the median of `repeats` timed calls after `warmup` untimed ones
 * (the first calls allocate the wasm heap and build XNNPACK operators). Builds a whole latency
 * table (every op at every position, the baseline, the fixed part) and checks the predictor
 * against whole networks of random cells. Free of Node's modules: the browser page of
 * `tfnas bench latency --browser` (latency/browser/page.ts) runs this same code.
 */
import * as tf from '@tensorflow/tfjs';
import { median } from '../backend/op-bench';
import { TfnasError } from '../io/errors';
import type { DartsGenotype, Nb201Genotype } from '../space/genotype-types';
import { getSpace } from '../space/spaces';
import { Rng } from '../space/rng';
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
  /** Stops the measurement at the next timed sample with TfnasError ABORTED (nothing is written). */
  signal?: AbortSignal;
}

/**
 * Backends whose kernels run asynchronously on a GPU: a call there ends when its output has been
 * read back, so every call of a sample is read back (reading back only the last of a batch would
 * spread one readback over a batch whose size differs between the baseline and each op, and the
 * subtraction would no longer cancel it). On the CPU backends a kernel has finished when it returns.
 */
const ASYNC_BACKENDS = ['webgl', 'webgpu'];

/** One timed sample: `calls` back-to-back calls, the last (on a GPU backend: each) read back; ms per call. */
async function sample(r: Runnable, x: tf.Tensor4D, calls: number): Promise<number> {
  const readEach = ASYNC_BACKENDS.includes(tf.getBackend());
  const t0 = performance.now();
  for (let i = 0; i < calls - 1; i++) {
    const y = tf.tidy(() => r.run(x));
    if (readEach) await y.data();
    y.dispose();
  }
  const y = tf.tidy(() => r.run(x));
  await y.data();
  const ms = performance.now() - t0;
  y.dispose();
  return ms / calls;
}

/**
 * Median latency (ms) of one call of each runnable, measured in interleaved rounds (round r times
 * every runnable once), so that a change of machine load during the measurement affects every
 * runnable alike instead of whichever was being timed then. Inputs are seeded random batches; all
 * runnables are disposed.
 */
export async function timeInterleaved(builds: (() => Runnable)[], batch: number, o: TimingOptions): Promise<number[]> {
  const rs: Runnable[] = [];
  const inputs = new Map<string, tf.Tensor4D>();
  try {
    for (const b of builds) rs.push(b());
    for (const r of rs) {
      const k = r.inputShape.join('x');
      if (!inputs.has(k)) inputs.set(k, tf.randomNormal([batch, ...r.inputShape], 0, 1, 'float32', o.seed) as tf.Tensor4D);
    }
    const input = (r: Runnable) => inputs.get(r.inputShape.join('x'))!;
    const calls: number[] = [];
    for (const r of rs) {
      let single = await sample(r, input(r), 1);
      for (let i = 1; i < o.warmup; i++) single = await sample(r, input(r), 1);
      calls.push(Math.max(1, Math.min(1000, Math.ceil((o.minSampleMs ?? 5) / Math.max(single, 1e-3)))));
    }
    const times: number[][] = rs.map(() => []);
    for (let round = 0; round < o.repeats; round++) {
      for (const [i, r] of rs.entries()) {
        if (o.signal?.aborted) throw new TfnasError('bench latency was aborted; nothing was written', { code: 'ABORTED' });
        times[i].push(await sample(r, input(r), calls[i]));
      }
    }
    return times.map(median);
  } finally {
    rs.forEach((r) => r.dispose());
    tf.dispose([...inputs.values()]);
  }
}

/** Median latency (ms) of one call of a runnable (see timeInterleaved); the runnable stays the caller's. */
export async function timeRunnable(r: Runnable, batch: number, o: TimingOptions): Promise<number> {
  const [ms] = await timeInterleaved([() => ({ ...r, dispose: () => undefined })], batch, o);
  return ms;
}

/** Random genotypes of a space, seeded (the same seed gives the same cells). */
export function randomGenotypes(space: LatencyNetwork['space'], count: number, seed: number): (DartsGenotype | Nb201Genotype)[] {
  const rng = new Rng(seed);
  const s = getSpace(space);
  return Array.from({ length: count }, () => s.sample(rng) as DartsGenotype | Nb201Genotype);
}

/** Measured latency (ms) of the whole networks of `cells`, in interleaved rounds. */
export function measuredNetworkLatencies(n: LatencyNetwork, cells: (DartsGenotype | Nb201Genotype)[], o: TimingOptions): Promise<number[]> {
  return timeInterleaved(cells.map((g) => () => networkRunnable(n, g)), n.batch, o);
}

export interface MeasureOptions extends TimingOptions {
  /** Recorded in the table: the backend, the machine it ran on (machine.ts) and the versions. */
  backend: string;
  machine: Record<string, string | number>;
  versions: Record<string, string>;
  /** Random cells whose measured latency minus their ops' sum gives the fixed part (median). */
  calibration: number;
  onProgress?: (what: string, done: number, total: number) => void;
}

export interface Validation {
  cells: number;
  spearman: number;
  meanRelError: number;
  rows: { cell: string; predictedMs: number; measuredMs: number }[];
}

/**
 * Measures, in the same interleaved rounds: every op (except `none`) at every position of the
 * network and the baseline call there, `calibration` random cells' whole networks (the fixed part
 * is the median of measured − Σ their ops), and `validate` other random cells' networks, against
 * which the predictor is checked (Spearman's rank correlation, mean relative error).
 */
export async function measureLatencyTable(n: LatencyNetwork, o: MeasureOptions & { validate: number }): Promise<{ table: LatencyTable; validation: Validation | null }> {
  const positions = distinctPositions(n);
  const ops = SPACE_OPS[n.space].filter((op) => op !== 'none');
  const timed = positions.flatMap((p) => ops.filter((op) => !isIdentity(n.space, op, p)).map((op) => ({ op, p })));
  const calib = randomGenotypes(n.space, o.calibration, o.seed + 1_000_003);
  const valid = randomGenotypes(n.space, o.validate, o.seed);
  const builds = [
    ...positions.map((p) => () => baselineRunnable(n.space, p)),
    ...timed.map(({ op, p }) => () => opRunnable(n.space, op, p)),
    ...[...calib, ...valid].map((g) => () => networkRunnable(n, g)),
  ];
  o.onProgress?.(`${builds.length} runnables (${positions.length} baselines, ${timed.length} ops, ${calib.length + valid.length} networks), ${o.repeats} interleaved rounds`, 0, 1);
  const ms = await timeInterleaved(builds, n.batch, o);
  const base = ms.slice(0, positions.length);
  const opMs = ms.slice(positions.length, positions.length + timed.length);
  const netMs = ms.slice(positions.length + timed.length);
  const table: LatencyTable = {
    format: 'tfnas-latency-table', version: 1, network: n, backend: o.backend, machine: o.machine, versions: o.versions,
    repeats: o.repeats, warmup: o.warmup, baselineMs: round(median(base)), fixedMs: 0, ops: {}, created: new Date().toISOString(),
  };
  for (const p of positions) for (const op of ops) if (isIdentity(n.space, op, p)) table.ops[positionKey(op, p)] = 0;
  timed.forEach(({ op, p }, i) => (table.ops[positionKey(op, p)] = round(Math.max(0, opMs[i] - base[positions.indexOf(p)]))));
  table.fixedMs = round(median(calib.map((g, i) => netMs[i] - predictLatency(table, g))));
  o.onProgress?.('done', 1, 1);
  return { table, validation: valid.length > 0 ? validation(table, valid, netMs.slice(calib.length)) : null };
}

function validation(t: LatencyTable, cells: (DartsGenotype | Nb201Genotype)[], measured: number[]): Validation {
  const space = getSpace(t.network.space);
  const rows = cells.map((g, i) => ({ cell: space.key(g), predictedMs: round(predictLatency(t, g)), measuredMs: round(measured[i]) }));
  const pred = rows.map((r) => r.predictedMs);
  const meas = rows.map((r) => r.measuredMs);
  return { cells: cells.length, spearman: round(spearman(pred, meas)), meanRelError: round(meanRelativeError(pred, meas)), rows };
}

export function describePosition(p: Position): string {
  return `${p.channels}ch ${p.size}×${p.size} stride ${p.stride}`;
}

function round(v: number): number {
  return Math.round(v * 1e4) / 1e4;
}
