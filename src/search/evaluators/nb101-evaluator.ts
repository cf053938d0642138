/**
 * The `nb101` evaluator: NAS-Bench-101 table look-ups by the official module hash. Signal: the
 * validation accuracy of one of the cell's three runs drawn at random, as the official API's
 * `query` (the draw comes from the search seed and the query number, so a resumed search draws the
 * same), or with `mean` the mean over the runs; reported: the mean test accuracy over the runs (as
 * the BANANAS paper reports NAS-Bench-101 results). Each query is charged the training time of the
 * run it returns (the mean with `mean`), as the official budget counters do.
 */
import * as fs from 'fs';
import * as path from 'path';
import { UsageError } from '../../io/errors';
import { mixSeed } from '../../data/split';
import { nb101Hash } from '../../space/nb101-spec';
import { Rng } from '../../space/rng';
import type { Genotype } from '../../space/spaces';
import type { EvalResult, Evaluator } from './registry';
import { meanOf, Nb101Table, type Nb101Lookup } from '../tables/nb101-table';

export const NB101_SIGNALS = ['random-run', 'mean'] as const;
export type Nb101Signal = (typeof NB101_SIGNALS)[number];

/** Where the official file is looked for when --table is not given (where `tfnas data download nb101` puts it). */
export const DEFAULT_NB101_FILE = path.join('data', 'nb101', 'nasbench_only108.tfrecord');

const tables = new Map<string, Nb101Table>();

/** Loads the table once per process (bench runs hundreds of searches on one table). */
export function loadNb101Table(file?: string, quiet = false): Nb101Table {
  const f = file ?? (fs.existsSync(DEFAULT_NB101_FILE) ? DEFAULT_NB101_FILE : undefined);
  if (!f) {
    throw new UsageError(
      `--table: the nb101 evaluator needs the official NAS-Bench-101 file (none given, and ${DEFAULT_NB101_FILE} does not exist); ` +
        'run `tfnas data download nb101`, or pass --table FILE (nasbench_only108.tfrecord or nasbench_full.tfrecord)',
    );
  }
  const abs = path.resolve(f);
  let t = tables.get(abs);
  if (!t) {
    t = Nb101Table.load(f, { quiet, log: quiet ? undefined : (line) => process.stderr.write(`tfnas: ${line}\n`) });
    tables.set(abs, t);
  }
  return t;
}

export class Nb101Evaluator implements Evaluator {
  readonly name = 'nb101';
  private n = 0;
  private spent = 0;

  constructor(
    readonly table: Nb101Lookup,
    readonly signal: Nb101Signal = 'random-run',
    readonly seed = 0,
  ) {
    if (!NB101_SIGNALS.includes(signal)) throw new UsageError(`--nb101-signal: expected one of ${NB101_SIGNALS.join(', ')}, got ${JSON.stringify(signal)}`);
  }

  get describe(): Record<string, string | number> {
    return { signal: this.signal, table: path.resolve(this.table.file) };
  }

  get queries(): number {
    return this.n;
  }

  /** Simulated training time charged so far (s). */
  get seconds(): number {
    return this.spent;
  }

  state(): unknown {
    return { queries: this.n, seconds: this.spent };
  }

  restore(s: unknown): void {
    const st = s as { queries?: number; seconds?: number } | null;
    this.n = st?.queries ?? 0;
    this.spent = st?.seconds ?? 0;
  }

  /** Synchronous look-up; `query` (1-based) picks the run for the random-run signal. */
  lookup(g: Genotype, query = this.n + 1): EvalResult & { seconds: number } {
    const hash = nb101Hash(g);
    const e = this.table.lookup(hash);
    if (!e || e.runs.length === 0) throw new UsageError(`--table: ${this.table.file} has no 108-epoch record of cell ${hash} (is the file complete?)`);
    let valid: number;
    let seconds: number;
    if (this.signal === 'mean') {
      valid = meanOf(e.runs.map((r) => r.valid));
      seconds = meanOf(e.runs.map((r) => r.seconds));
    } else {
      const run = e.runs[new Rng(mixSeed(this.seed, query)).int(e.runs.length)];
      [valid, seconds] = [run.valid, run.seconds];
    }
    this.n++;
    this.spent += seconds;
    return { signal: valid, testAccuracy: meanOf(e.runs.map((r) => r.test)), seconds };
  }

  async evaluate(g: Genotype, query?: number): Promise<EvalResult> {
    return this.lookup(g, query);
  }
}
