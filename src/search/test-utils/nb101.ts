/**
 * Test fixtures for NAS-Bench-101: generated tables and a writer of TFRecord files in the official
 * layout (real framing and CRC-32C, JSON records, protobuf ModelMetrics with the three evaluations
 * of the official file: initialisation, halfway, end of training).
 */
import * as fs from 'fs';
import type { Nb101Genotype } from '../../space/genotype-types';
import { nb101HashPruned, nb101Prune } from '../../space/nb101-spec';
import { encodeTfRecord } from '../../data/tfrecord';
import { encodeNb101Record } from '../tables/nb101-records';
import type { Nb101Entry, Nb101Lookup, Nb101Run } from '../tables/nb101-table';

/** Three deterministic runs of a cell, derived from its hash (accuracies in [0.85, 0.95)). */
export function syntheticNb101Runs(hash: string): Nb101Run[] {
  return [0, 1, 2].map((r) => {
    const u = (k: number) => parseInt(hash.slice(4 * k + 4 * r, 4 * k + 4 * r + 4), 16) / 65536;
    const base = 0.85 + 0.1 * u(0);
    return { seconds: 1000 + 2000 * u(1), valid: base + 0.002 * u(2), test: base - 0.003 + 0.002 * u(3) };
  });
}

export const syntheticNb101Params = (hash: string) => 200000 + (parseInt(hash.slice(0, 6), 16) % 3000000);

/** A table that knows every cell: its runs are syntheticNb101Runs of the hash. */
export const SYNTHETIC_NB101: Nb101Lookup = {
  file: '<generated>',
  lookup: (hash: string): Nb101Entry => ({ hash, params: syntheticNb101Params(hash), runs: syntheticNb101Runs(hash) }),
};

export interface WriteOptions {
  /** Also write records at these other epoch budgets (as nasbench_full.tfrecord has), which the reader skips. */
  otherEpochs?: number[];
}

/** Writes the records of the cells' architectures (3 runs each, the synthetic values) in the official file's layout; returns each record's byte offset. */
export function writeNb101TfRecord(file: string, cells: Nb101Genotype[], opts: WriteOptions = {}): number[] {
  const parts: Buffer[] = [];
  const offsets: number[] = [];
  let at = 0;
  const written = new Set<string>();
  for (const cell of cells) {
    const p = nb101Prune(cell)!;
    const hash = nb101HashPruned(p);
    // The official file holds each architecture once (three runs of it), whatever form it was asked in.
    if (written.has(hash)) continue;
    written.add(hash);
    for (const epochs of [...(opts.otherEpochs ?? []), 108]) {
      syntheticNb101Runs(hash).forEach((run) => {
        const scale = epochs === 108 ? 1 : 0.5;
        const ev = (frac: number) => ({ current_epoch: epochs * frac, training_time: run.seconds * frac, train_accuracy: 1, validation_accuracy: frac === 1 ? run.valid * scale : 0.5, test_accuracy: frac === 1 ? run.test * scale : 0.5 });
        const data = encodeNb101Record({ hash, epochs, matrix: p.matrix, ops: p.ops, params: syntheticNb101Params(hash), evaluations: [ev(0), ev(0.5), ev(1)] });
        const rec = encodeTfRecord(data);
        offsets.push(at);
        at += rec.length;
        parts.push(rec);
      });
    }
  }
  fs.writeFileSync(file, Buffer.concat(parts));
  return offsets;
}
