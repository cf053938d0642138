/**
 * The latency table: the measured forward latency (ms, median after warm-up) of every candidate op
 * at every position of one network on one backend, plus the network's fixed part (stem, cell
 * preprocessing, node sums, head), with the machine, backend and versions it was measured on.
 * Written by `tfnas bench latency`, read by the predictor, the DARTS latency objective and the
 * black-box searchers' latency constraint.
 */
import * as fs from 'fs';
import { writeJsonAtomic } from '../io/atomic';
import { UsageError } from '../io/errors';
import { LatencyNetwork, Position, SPACE_OPS, cellPositions, distinctPositions, positionKey } from './positions';

export interface LatencyTable {
  format: 'tfnas-latency-table';
  version: 1;
  network: LatencyNetwork;
  /** The TensorFlow.js backend (and, in a browser, the browser backend: `chromium/webgl`). */
  backend: string;
  machine: Record<string, string | number>;
  versions: Record<string, string>;
  repeats: number;
  warmup: number;
  /** Cost of one timed call that does nothing (input read-back), already subtracted from every op. */
  baselineMs: number;
  /** The network without its cells' edges, in ms: predicted latency = fixedMs + Σ edges' op latencies. */
  fixedMs: number;
  /** `op@c<C>s<size>x<stride>` → ms; `none` is 0 by definition (no computation). */
  ops: Record<string, number>;
  created: string;
}

/** The op's latency at a position; `none` (the zero op) costs nothing. */
export function opLatency(t: LatencyTable, op: string, p: Position): number {
  if (op === 'none') return 0;
  const v = t.ops[positionKey(op, p)];
  if (v === undefined) throw new UsageError(`latency table: no entry for ${op} at ${p.channels} channels, ${p.size}×${p.size}, stride ${p.stride} (measured for another network? see its "network")`);
  return v;
}

/** What a table must hold for its network: every op except `none` at every position. */
export function missingEntries(t: Pick<LatencyTable, 'network' | 'ops'>): string[] {
  const ops = SPACE_OPS[t.network.space].filter((o) => o !== 'none');
  return distinctPositions(t.network).flatMap((p) => ops.map((o) => positionKey(o, p))).filter((k) => typeof t.ops[k] !== 'number');
}

export function writeLatencyTable(file: string, t: LatencyTable): void {
  writeJsonAtomic(file, t);
}

/** Reads and checks a latency table (`--latency-table FILE`). */
export function readLatencyTable(file: string, flag = '--latency-table'): LatencyTable {
  let t: LatencyTable;
  try {
    t = JSON.parse(fs.readFileSync(file, 'utf8')) as LatencyTable;
  } catch (e) {
    throw new UsageError(`${flag}: cannot read ${file} as a JSON latency table (${(e as Error).message.split('\n')[0]}); make one with tfnas bench latency`);
  }
  if (t?.format !== 'tfnas-latency-table' || t.version !== 1 || !t.network || typeof t.fixedMs !== 'number' || typeof t.ops !== 'object') {
    throw new UsageError(`${flag}: ${file} is not a tfnas latency table (version 1); make one with tfnas bench latency`);
  }
  const missing = missingEntries(t);
  if (missing.length > 0) throw new UsageError(`${flag}: ${file} lacks ${missing.length} entries (first: ${missing[0]}); measure it again with tfnas bench latency`);
  cellPositions(t.network); // the network must be well formed
  return t;
}
