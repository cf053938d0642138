/**
 * Evaluators score a genotype for a black-box searcher (`name → factory` registry). A budget is a
 * number of queries: every `evaluate` call counts, repeats included, as in the benchmark paper's
 * reference searchers where each query is charged its training time; the nb101 evaluator also
 * simulates that training time (`seconds`), for `--budget-seconds`.
 */
import * as fs from 'fs';
import * as path from 'path';
import { UsageError } from '../../io/errors';
import type { Dataset } from '../../data/types';
import type { Nb201Genotype } from '../../space/genotype-types';
import { NB201_SPACE_SIZE } from '../../space/nb201-space';
import type { Genotype, SpaceName } from '../../space/spaces';
import { loadNb201Table, Nb201Table, type Nb201Dataset } from '../tables/nb201-table';

export { loadNb201Table, DEFAULT_NB201_TABLE, nb201CellReport } from '../tables/nb201-table';

export interface EvalResult {
  /** The search signal (higher is better). */
  signal: number;
  /** The accuracy to report for this architecture (a fraction), when the evaluator knows it. */
  testAccuracy?: number;
}

export interface Evaluator {
  readonly name: string;
  /** e.g. the dataset, for logs and best.json. */
  readonly describe: Record<string, string | number>;
  readonly queries: number;
  /** `query` (1-based, from the search loop) names per-query files, so a resumed search reuses them. */
  evaluate(g: Genotype, query?: number): Promise<EvalResult>;
  /** Simulated training time charged so far (s), where the evaluator has one (nb101): what --budget-seconds limits. */
  readonly seconds?: number;
  /** Counters to keep in the search checkpoint, where the evaluator has any. */
  state?(): unknown;
  restore?(state: unknown): void;
}

export interface EvaluatorOptions {
  space: SpaceName;
  table?: string;
  dataset: Nb201Dataset;
  /** The search's run folder and seed (evaluators that write files or train use them). */
  runDir?: string;
  seed?: number;
  /**
   * The command's checked option values by flag name (defaults applied; see search-options.ts), for
   * evaluators with their own options (data, training length).
   */
  argv?: Record<string, unknown>;
  /** Images already in memory (library calls), used instead of the dataset `argv` names (train evaluator). */
  data?: Dataset;
}

/**
 * Table look-up: signal = 12-epoch validation accuracy of the dataset (the NAS-Bench-201 paper's
 * protocol, hp=12), reported result = 200-epoch test accuracy.
 */
export class Nb201Evaluator implements Evaluator {
  readonly name = 'nb201';
  private n = 0;

  constructor(readonly table: Nb201Table, readonly dataset: Nb201Dataset) {
    // loadNb201Table already refuses an incomplete table; a table made with Nb201Table.parse is checked here.
    if (!table.complete) {
      throw new UsageError(`--table: ${table.file} has ${table.size} of the ${NB201_SPACE_SIZE} NAS-Bench-201 cells; every cell is needed (is the file truncated?)`);
    }
  }

  get describe(): Record<string, string | number> {
    return { dataset: this.dataset, table: path.resolve(this.table.file) };
  }

  get queries(): number {
    return this.n;
  }

  /** Synchronous look-up (the bench loop uses this directly). */
  lookup(g: Genotype): EvalResult {
    const e = this.table.lookup(g as Nb201Genotype, this.dataset);
    if (!e) throw new UsageError(`--table: ${this.table.file} has no row for cell ${JSON.stringify(g)} (the table is incomplete)`);
    this.n++;
    return { signal: e.valid12, testAccuracy: e.test200 };
  }

  async evaluate(g: Genotype): Promise<EvalResult> {
    return this.lookup(g);
  }
}

export type EvaluatorFactory = (opts: EvaluatorOptions) => Evaluator | Promise<Evaluator>;

function optNumber(argv: Record<string, unknown> | undefined, name: string): number | undefined {
  const v = argv?.[name];
  return v === undefined ? undefined : Number(v);
}

export const EVALUATORS: Record<string, { spaces: SpaceName[]; make: EvaluatorFactory }> = {
  nb201: {
    spaces: ['nb201'],
    make: (o) => new Nb201Evaluator(loadNb201Table(o.table), o.dataset),
  },
  train: {
    spaces: ['darts', 'macro'],
    make: async (o) => {
      // Loaded lazily: only this evaluator needs the image data and the training code.
      const { loadDatasetFromArgs } = await import('../../data/locate');
      const { TrainEvaluator } = await import('./train-evaluator');
      const argv = o.argv ?? {};
      return new TrainEvaluator({
        dataset: o.data ?? (await loadDatasetFromArgs(argv)),
        space: o.space === 'macro' ? 'macro' : 'darts',
        runDir: o.runDir ?? '.',
        seed: o.seed ?? 0,
        epochs: optNumber(argv, 'train-epochs'),
        C: optNumber(argv, 'train-channels'),
        layers: optNumber(argv, 'train-layers'),
        batchSize: optNumber(argv, 'train-batch-size'),
        trainPortion: optNumber(argv, 'train-portion'),
      });
    },
  },
  supernet: {
    spaces: ['darts', 'nb201'],
    make: async (o) => {
      const { loadDatasetFromArgs } = await import('../../data/locate');
      const { readJson } = await import('../../io/atomic');
      const { loadSupernetRun, SupernetEvaluator } = await import('./supernet-evaluator');
      const dir = o.argv?.supernet;
      if (typeof dir !== 'string' || dir === '') throw new UsageError('--supernet: the supernet evaluator needs the run folder of a `tfnas search` (DARTS) run');
      const cfgFile = path.join(dir, 'config.json');
      if (!fs.existsSync(cfgFile)) throw new UsageError(`--supernet: ${dir} is not a tfnas search run folder (no config.json)`);
      const saved = readJson<{ config: { space: string; dataset: string } }>(cfgFile).config;
      if (saved.space !== o.space) throw new UsageError(`--supernet: ${dir} holds a ${saved.space} supernet, but --space is ${o.space}`);
      const data = await loadDatasetFromArgs({ ...(o.argv ?? {}), dataset: saved.dataset });
      const { net, config } = loadSupernetRun(dir, data.numClasses, data.shape[2]);
      return new SupernetEvaluator(net, config, data, dir, optNumber(o.argv, 'supernet-valid-limit') ?? undefined);
    },
  },
  nb101: {
    spaces: ['nb101'],
    make: async (o) => {
      const { loadNb101Table, Nb101Evaluator } = await import('./nb101-evaluator');
      const signal = o.argv?.['nb101-signal'];
      return new Nb101Evaluator(loadNb101Table(o.table), (signal ?? 'random-run') as never, o.seed ?? 0);
    },
  },
};
export const EVALUATOR_NAMES = Object.keys(EVALUATORS);

export async function makeEvaluator(name: string, opts: EvaluatorOptions): Promise<Evaluator> {
  const entry = EVALUATORS[name];
  if (!entry) throw new UsageError(`--evaluator: expected one of ${EVALUATOR_NAMES.join(', ')}, got ${JSON.stringify(name)}`);
  if (!entry.spaces.includes(opts.space)) {
    throw new UsageError(`--evaluator ${name} works on --space ${entry.spaces.join('|')}, not ${opts.space}`);
  }
  return entry.make(opts);
}

/**
 * For NAS-Bench-201 cells scored by another evaluator (supernet, train): fills in the benchmark's
 * 200-epoch test accuracy from a table, so history.csv and best.json report it.
 */
export function withNb201TestAccuracy(inner: Evaluator, table: Nb201Table, dataset: Nb201Dataset): Evaluator {
  return {
    name: inner.name,
    get describe() {
      return { ...inner.describe, table: path.resolve(table.file), reported: `${dataset}_test_200ep` };
    },
    get queries() {
      return inner.queries;
    },
    async evaluate(g, query) {
      const r = await inner.evaluate(g, query);
      return { ...r, testAccuracy: table.lookup(g as Nb201Genotype, dataset)?.test200 };
    },
  };
}
