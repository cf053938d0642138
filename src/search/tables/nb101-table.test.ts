/**
 * The NAS-Bench-101 reader on small files in the official format (written by test-utils/nb101.ts:
 * real TFRecord framing and CRCs, JSON records, protobuf ModelMetrics), the cache, and the evaluator.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Rng } from '../../space/rng';
import { nb101Hash, nb101HashPruned, nb101Prune } from '../../space/nb101-spec';
import { nb101Sample } from '../../space/nb101-space';
import { getSpace } from '../../space/spaces';
import type { Nb101Genotype } from '../../space/genotype-types';
import { encodeTfRecord } from '../../data/tfrecord';
import { encodeNb101Record, parseNb101Record } from './nb101-records';
import { nb101CacheFile, Nb101Table } from './nb101-table';
import { Nb101Evaluator } from '../evaluators/nb101-evaluator';
import { runSearch } from '../blackbox/run';
import { SYNTHETIC_NB101, syntheticNb101Runs, writeNb101TfRecord } from '../test-utils/nb101';
import { tmpDir } from '../test-utils/synthetic';

let dir: string;
let cells: Nb101Genotype[];
beforeAll(() => {
  dir = tmpDir('nb101');
  const rng = new Rng(3);
  cells = Array.from({ length: 30 }, () => nb101Sample(rng));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('NAS-Bench-101 records', () => {
  it('round-trip the official layout: JSON array with base64 ModelMetrics, evaluation 2 = end of training', () => {
    const p = nb101Prune(cells[0])!;
    const ev = (t: number, v: number) => ({ current_epoch: t, training_time: t * 10, train_accuracy: 1, validation_accuracy: v, test_accuracy: v - 0.01 });
    const data = encodeNb101Record({ hash: nb101HashPruned(p), epochs: 108, matrix: p.matrix, ops: p.ops, params: 1234, evaluations: [ev(0, 0.1), ev(54, 0.8), ev(108, 0.93)] });
    const row = JSON.parse(data.toString());
    expect(row.length).toBe(5);
    expect(row[2]).toBe(p.matrix.map((r) => r.join('')).join(''));
    expect(row[3]).toBe(p.ops.join(','));
    const r = parseNb101Record(data, 'x');
    expect(r).toEqual({ hash: row[0], epochs: 108, matrix: p.matrix, ops: p.ops, params: 1234, final: { training_time: 1080, train_accuracy: 1, validation_accuracy: 0.93, test_accuracy: 0.92 } });
    expect(() => parseNb101Record(Buffer.from('[1,2]'), 'f.tfrecord: record at byte 7')).toThrow(/f\.tfrecord: record at byte 7: not a NAS-Bench-101 record/);
  });
});

describe('Nb101Table', () => {
  it('reads the 108-epoch runs of every cell, writes the cache and reloads from it', () => {
    const file = path.join(dir, 'small.tfrecord');
    writeNb101TfRecord(file, cells, { otherEpochs: [4, 36] });
    const t = Nb101Table.load(file, { quiet: true });
    const hashes = new Set(cells.map((c) => nb101Hash(c)));
    expect(t.size).toBe(hashes.size);
    for (const c of cells) {
      const e = t.lookup(nb101Hash(c))!;
      expect(e.runs).toEqual(syntheticNb101Runs(nb101Hash(c)));
    }
    expect(t.lookup('0'.repeat(32))).toBeNull();
    expect(fs.existsSync(nb101CacheFile(file))).toBe(true);
    // A second load uses the cache: it works even once the TFRecord data is unreadable garbage of the same size and time.
    const stat = fs.statSync(file);
    fs.writeFileSync(file, Buffer.alloc(stat.size, 7));
    fs.utimesSync(file, stat.atime, stat.mtime);
    const again = Nb101Table.load(file, { quiet: true });
    expect(again.lookup(nb101Hash(cells[3]))).toEqual(t.lookup(nb101Hash(cells[3])));
    // A changed file (another modification time) is read again, and its damage reported.
    fs.utimesSync(file, stat.atime, new Date(stat.mtimeMs + 5000));
    expect(() => Nb101Table.load(file, { quiet: true })).toThrow(/small\.tfrecord: record at byte 0: length checksum/);
  });

  it('names the file and offset of a truncated record and of a bad CRC', () => {
    const file = path.join(dir, 'cut.tfrecord');
    const offsets = writeNb101TfRecord(file, cells.slice(0, 4));
    const whole = fs.readFileSync(file);
    fs.writeFileSync(file, whole.subarray(0, whole.length - 10));
    expect(() => Nb101Table.load(file, { quiet: true })).toThrow(new RegExp(`cut\\.tfrecord: record at byte ${offsets[offsets.length - 1]}: truncated`));
    const bad = Buffer.from(whole);
    bad[offsets[5] + 20] ^= 0x40;
    fs.writeFileSync(file, bad);
    expect(() => Nb101Table.load(file, { quiet: true })).toThrow(new RegExp(`cut\\.tfrecord: record at byte ${offsets[5]}: data checksum`));
  });

  it('rejects a file whose hashes are not the hashes of its cells', () => {
    const file = path.join(dir, 'wrong-hash.tfrecord');
    const p = nb101Prune(cells[0])!;
    const ev = { current_epoch: 108, training_time: 1, train_accuracy: 1, validation_accuracy: 0.9, test_accuracy: 0.9 };
    fs.writeFileSync(file, encodeTfRecord(encodeNb101Record({ hash: 'f'.repeat(32), epochs: 108, matrix: p.matrix, ops: p.ops, params: 1, evaluations: [ev, ev, ev] })));
    expect(() => Nb101Table.load(file, { quiet: true })).toThrow(/wrong-hash\.tfrecord: record at byte 0: the record's module hash f{32} is not the hash of its cell/);
  });
});

describe('Nb101Evaluator', () => {
  const g = () => cells[1];
  it('signal: a seeded random run (as the official query), or the mean; reported: mean test accuracy', () => {
    const runs = syntheticNb101Runs(nb101Hash(g()));
    const a = new Nb101Evaluator(SYNTHETIC_NB101, 'random-run', 4);
    const b = new Nb101Evaluator(SYNTHETIC_NB101, 'random-run', 4);
    const signals = Array.from({ length: 30 }, (_, q) => a.lookup(g(), q + 1).signal);
    expect(Array.from({ length: 30 }, (_, q) => b.lookup(g(), q + 1).signal)).toEqual(signals);
    expect(new Set(signals)).toEqual(new Set(runs.map((r) => r.valid)));
    const m = new Nb101Evaluator(SYNTHETIC_NB101, 'mean').lookup(g());
    expect(m.signal).toBeCloseTo(runs.reduce((s, r) => s + r.valid, 0) / 3, 10);
    expect(m.testAccuracy).toBeCloseTo(runs.reduce((s, r) => s + r.test, 0) / 3, 10);
    expect(a.seconds).toBeGreaterThan(0);
    expect(() => new Nb101Evaluator(SYNTHETIC_NB101, 'median' as never)).toThrow(/--nb101-signal: expected one of random-run, mean/);
  });

  it('--budget-seconds stops after the query that exceeds the simulated time, and resumes to the same end', async () => {
    const space = getSpace('nb101');
    const run = (out: string, budgetSeconds: number, resume = false) =>
      runSearch({ strategy: 'evolution', space, evaluator: new Nb101Evaluator(SYNTHETIC_NB101, 'random-run', 0), budget: Infinity, budgetSeconds, seed: 0, outDir: path.join(dir, out), resume, quiet: true });
    const whole = await run('time', 20000);
    const rows = fs.readFileSync(path.join(dir, 'time', 'history.csv'), 'utf8').trim().split('\n').length - 1;
    expect(rows).toBe(whole.queries);
    // Runs take 1000–3000 s here: 20,000 s needs between 7 and 21 queries.
    expect(whole.queries).toBeGreaterThanOrEqual(7);
    expect(whole.queries).toBeLessThanOrEqual(21);
    await run('time2', 8000);
    const resumed = await run('time2', 20000, true);
    expect(resumed.queries).toBe(whole.queries);
    expect(resumed.best).toBe(whole.best);
  });
});
