/**
 * The NAS-Bench-101 table, read from the official TFRecord file (nasbench_only108.tfrecord, or
 * nasbench_full.tfrecord, of which only the 108-epoch records are kept). The first load streams
 * the file once (progress bar) and writes a compact cache beside it, `<file>.tfnas-cache`: per
 * module hash the parameter count and each training run's time, validation and test accuracy at
 * 108 epochs (about 40 MB for the 423,624 cells). Later loads read the cache, unless the TFRecord
 * file's size or modification time has changed since.
 */
import * as fs from 'fs';
import { writeFileAtomic } from '../../io/atomic';
import { UsageError } from '../../io/errors';
import { Progress } from '../../io/progress';
import { readTfRecords } from '../../data/tfrecord';
import { nb101HashPruned, nb101Prune } from '../../space/nb101-spec';
import { parseNb101Record } from './nb101-records';

/** The evaluations the benchmark's searchers use (the NAS-Bench-101 paper reports 108-epoch results). */
export const NB101_EPOCHS = 108;
/** config.py `num_repeats`: training runs per cell and epoch budget. */
export const NB101_RUNS = 3;
const CACHE_VERSION = 1;
/** Records whose hash is recomputed from their matrix and ops on a fresh read: a check that the file and the hash agree. */
const HASH_CHECKS = 200;

export interface Nb101Run {
  /** Simulated training time (s) to 108 epochs. */
  seconds: number;
  /** Fractions in [0, 1], as in the file. */
  valid: number;
  test: number;
}

export interface Nb101Entry {
  hash: string;
  params: number;
  runs: Nb101Run[];
}

interface Columns {
  hashes: string[];
  params: Int32Array;
  runs: Uint8Array;
  seconds: Float64Array;
  valid: Float64Array;
  test: Float64Array;
}

/** What the evaluator needs of a table (tests use generated tables of this shape). */
export type Nb101Lookup = Pick<Nb101Table, 'file' | 'lookup'>;

export function nb101CacheFile(file: string): string {
  return `${file}.tfnas-cache`;
}

export class Nb101Table {
  private readonly index = new Map<string, number>();

  private constructor(
    readonly file: string,
    private readonly c: Columns,
  ) {
    c.hashes.forEach((h, i) => this.index.set(h, i));
  }

  get size(): number {
    return this.c.hashes.length;
  }

  /** Loads from the cache when it is current, else streams the TFRecord file and writes the cache. */
  static load(file: string, opts: { quiet?: boolean; log?: (line: string) => void } = {}): Nb101Table {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(file);
    } catch (e) {
      throw new UsageError(`--table: cannot read NAS-Bench-101 file ${file}: ${(e as Error).message}`);
    }
    const cached = readCache(nb101CacheFile(file), stat);
    if (cached) return new Nb101Table(file, cached);
    opts.log?.(`reading ${file} once into ${nb101CacheFile(file)} (later loads use the cache)`);
    const cols = readTfRecordFile(file, stat.size, opts.quiet ?? false);
    writeFileAtomic(nb101CacheFile(file), encodeCache(cols, stat));
    return new Nb101Table(file, cols);
  }

  lookup(hash: string): Nb101Entry | null {
    const i = this.index.get(hash);
    if (i === undefined) return null;
    const runs = Array.from({ length: this.c.runs[i] }, (_, r) => {
      const k = i * NB101_RUNS + r;
      return { seconds: this.c.seconds[k], valid: this.c.valid[k], test: this.c.test[k] };
    });
    return { hash, params: this.c.params[i], runs };
  }

  /** The cell with the best mean test accuracy (the benchmark's optimum), a fraction as every accuracy. */
  optimumTest(): number {
    let best = -Infinity;
    for (const h of this.c.hashes) best = Math.max(best, meanOf(this.lookup(h)!.runs.map((r) => r.test)));
    return best;
  }
}

export const meanOf = (v: readonly number[]) => v.reduce((a, b) => a + b, 0) / v.length;

/** One pass over the TFRecord file: the 108-epoch runs of every cell, grouped by hash. */
function readTfRecordFile(file: string, size: number, quiet: boolean): Columns {
  const MIB = 1024 * 1024;
  const progress = new Progress(`read ${file.split('/').pop()} MiB`, Math.max(1, Math.ceil(size / MIB)), process.stderr, quiet);
  const byHash = new Map<string, { params: number; runs: Nb101Run[] }>();
  let checked = 0;
  for (const rec of readTfRecords(file, (pos) => progress.update(Math.floor(pos / MIB)))) {
    const where = `${file}: record at byte ${rec.offset}`;
    const r = parseNb101Record(rec.data, where);
    if (r.epochs !== NB101_EPOCHS) continue;
    if (checked < HASH_CHECKS) {
      checked++;
      const pruned = nb101Prune({ matrix: r.matrix, ops: r.ops });
      const mine = pruned ? nb101HashPruned(pruned) : null;
      if (mine !== r.hash) throw new UsageError(`${where}: the record's module hash ${r.hash} is not the hash of its cell (${mine}); is this the official NAS-Bench-101 file?`);
    }
    let e = byHash.get(r.hash);
    if (!e) byHash.set(r.hash, (e = { params: r.params, runs: [] }));
    if (e.runs.length >= NB101_RUNS) throw new UsageError(`${where}: cell ${r.hash} has more than ${NB101_RUNS} runs at ${NB101_EPOCHS} epochs`);
    e.runs.push({ seconds: r.final.training_time, valid: r.final.validation_accuracy, test: r.final.test_accuracy });
  }
  progress.stop();
  if (byHash.size === 0) throw new UsageError(`${file}: no ${NB101_EPOCHS}-epoch records; is this a NAS-Bench-101 file?`);
  const n = byHash.size;
  const cols: Columns = { hashes: [], params: new Int32Array(n), runs: new Uint8Array(n), seconds: new Float64Array(n * NB101_RUNS), valid: new Float64Array(n * NB101_RUNS), test: new Float64Array(n * NB101_RUNS) };
  let i = 0;
  for (const [hash, e] of byHash) {
    cols.hashes.push(hash);
    cols.params[i] = e.params;
    cols.runs[i] = e.runs.length;
    e.runs.forEach((run, r) => {
      cols.seconds[i * NB101_RUNS + r] = run.seconds;
      cols.valid[i * NB101_RUNS + r] = run.valid;
      cols.test[i * NB101_RUNS + r] = run.test;
    });
    i++;
  }
  return cols;
}

interface CacheHeader {
  format: 'tfnas-nb101-cache';
  version: number;
  source: { size: number; mtimeMs: number };
  count: number;
}

/** Layout: one JSON header line (padded to 8 bytes), then the hashes (16 bytes each), params, runs (padded), seconds, valid, test. */
function encodeCache(c: Columns, stat: fs.Stats): Buffer {
  const n = c.hashes.length;
  const header: CacheHeader = { format: 'tfnas-nb101-cache', version: CACHE_VERSION, source: { size: stat.size, mtimeMs: Math.round(stat.mtimeMs) }, count: n };
  let text = JSON.stringify(header);
  while ((text.length + 1) % 8) text += ' ';
  const pad8 = (b: Buffer) => Buffer.concat([b, Buffer.alloc((8 - (b.length % 8)) % 8)]);
  return Buffer.concat([
    Buffer.from(text + '\n', 'latin1'),
    pad8(Buffer.concat(c.hashes.map((h) => Buffer.from(h, 'hex')))),
    pad8(Buffer.from(c.params.buffer, c.params.byteOffset, c.params.byteLength)),
    pad8(Buffer.from(c.runs)),
    ...[c.seconds, c.valid, c.test].map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength)),
  ]);
}

/** The cache's columns, or null when it is absent, of another version or made from another file. */
function readCache(cacheFile: string, stat: fs.Stats): Columns | null {
  let buf: Buffer;
  try {
    buf = fs.readFileSync(cacheFile);
  } catch {
    return null;
  }
  const nl = buf.indexOf(10);
  let h: CacheHeader;
  try {
    h = JSON.parse(buf.subarray(0, nl).toString('latin1')) as CacheHeader;
  } catch {
    return null;
  }
  if (h.format !== 'tfnas-nb101-cache' || h.version !== CACHE_VERSION || h.source.size !== stat.size || h.source.mtimeMs !== Math.round(stat.mtimeMs)) return null;
  const n = h.count;
  const up8 = (x: number) => Math.ceil(x / 8) * 8;
  let at = nl + 1;
  const take = (bytes: number) => {
    const b = buf.subarray(at, at + bytes);
    at += up8(bytes);
    return b;
  };
  const hashBytes = take(16 * n);
  const copy = (b: Buffer) => new Uint8Array(b).buffer; // a fresh, aligned ArrayBuffer
  const params = new Int32Array(copy(take(4 * n)));
  const runs = new Uint8Array(copy(take(n)));
  const f64 = () => new Float64Array(copy(take(8 * n * NB101_RUNS)));
  const [seconds, valid, test] = [f64(), f64(), f64()];
  if (at !== up8(buf.length) || test.length !== n * NB101_RUNS) return null;
  const hashes = Array.from({ length: n }, (_, i) => hashBytes.toString('hex', 16 * i, 16 * i + 16));
  return { hashes, params, runs, seconds, valid, test };
}
