/**
 * HW-NAS-Bench's published per-cell latencies of NAS-Bench-201 (Li et al., ICLR 2021; GATECH-EIC/
 * HW-NAS-Bench, MIT licence) as converted by scripts/hw_nas_bench_to_csv.py: one row per cell
 * (`index`, `arch`, then ms per device). Used to check a measured table's ranking against real
 * devices and as a latency model for a search constrained on one device.
 */
import * as fs from 'fs';
import * as zlib from 'zlib';
import { parse } from 'csv-parse/sync';
import { UsageError } from '../io/errors';
import { NB201_SPACE } from '../space/spaces';
import type { Genotype } from '../space/spaces';
import type { Nb201Genotype } from '../space/genotype-types';
import type { LatencyModel } from './constraint';
import { predictLatency, spearman } from './predictor';
import type { LatencyTable } from './table';

export interface HwNasBench {
  file: string;
  devices: string[];
  /** Cell key (NB201 string) → ms per device. */
  rows: Map<string, Record<string, number>>;
}

/** Whether a `--latency-table` file is an HW-NAS-Bench CSV (else a tfnas JSON table). */
export const isHwNasBenchFile = (file: string): boolean => /\.csv(\.gz)?$/i.test(file);

export function readHwNasBench(file: string, flag = '--latency-table'): HwNasBench {
  let records: Record<string, string>[];
  try {
    const raw = fs.readFileSync(file);
    const text = (raw[0] === 0x1f && raw[1] === 0x8b ? zlib.gunzipSync(raw) : raw).toString('utf8');
    records = parse(text, { columns: true, skip_empty_lines: true }) as Record<string, string>[];
  } catch (e) {
    throw new UsageError(`${flag}: cannot read ${file} as an HW-NAS-Bench CSV (${(e as Error).message.split('\n')[0]})`);
  }
  const devices = Object.keys(records[0] ?? {}).filter((k) => k !== 'index' && k !== 'arch');
  if (records.length === 0 || !('arch' in records[0]) || devices.length === 0) {
    throw new UsageError(`${flag}: ${file} is not an HW-NAS-Bench CSV (columns index, arch, then one per device; see scripts/hw_nas_bench_to_csv.py)`);
  }
  const rows = new Map<string, Record<string, number>>();
  for (const r of records) {
    const key = NB201_SPACE.key(NB201_SPACE.fromKey(r.arch));
    rows.set(key, Object.fromEntries(devices.map((d) => [d, Number(r[d])])));
  }
  return { file, devices, rows };
}

/** One device's latency of a cell (`--latency-device`). */
export function hwLatencyModel(b: HwNasBench, device: string): LatencyModel {
  if (!b.devices.includes(device)) throw new UsageError(`--latency-device: ${b.file} has ${b.devices.join(', ')}, not '${device}'`);
  return (g: Genotype) => {
    const r = b.rows.get(NB201_SPACE.key(g as Nb201Genotype));
    if (!r) throw new UsageError(`--latency-table: ${b.file} has no row for cell ${NB201_SPACE.key(g as Nb201Genotype)}`);
    return r[device];
  };
}

/** Spearman's rank correlation of a table's predicted latencies with each device's, over the benchmark's cells. */
export function correlateWithDevices(t: LatencyTable, b: HwNasBench): Record<string, number> {
  if (t.network.space !== 'nb201') throw new UsageError(`--hw-nas-bench: the table is for ${t.network.space}; HW-NAS-Bench's latencies are NAS-Bench-201 cells`);
  const keys = [...b.rows.keys()];
  const ours = keys.map((k) => predictLatency(t, NB201_SPACE.fromKey(k)));
  return Object.fromEntries(b.devices.map((d) => [d, Number(spearman(ours, keys.map((k) => b.rows.get(k)![d])).toFixed(4))]));
}
