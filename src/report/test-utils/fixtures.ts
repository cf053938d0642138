/**
 * Run folders for the report's tests and benchmark, in the exact layout the runs write: search and
 * retraining logs from a seeded synthetic trajectory (columns, derivation and confusion.csv by the
 * project's own functions); black-box and bench folders by the real search loop on a synthetic
 * NAS-Bench-201 table.
 */
import * as fs from 'fs';
import * as path from 'path';
import { writeJsonAtomic } from '../../io/atomic';
import { writeCsv, type Row } from '../../io/csv';
import { dartsEdgeLabels } from '../../nets/supernet-darts';
import { nb201EdgeLabels } from '../../nets/supernet-nb201';
import { ALPHA_COLUMNS, LOG_COLUMNS as SEARCH_COLUMNS } from '../../search/darts/files';
import { Nb201Evaluator, loadNb201Table } from '../../search/evaluators/registry';
import { runBench } from '../../search/bench';
import { runSearch } from '../../search/blackbox/run';
import { writeSyntheticTable } from '../../search/test-utils/synthetic';
import { builtinGenotype } from '../../space/builtin-genotypes';
import { deriveDartsGenotype, deriveNb201Genotype, softmax } from '../../space/derive';
import { formatDartsGenotype, formatNb201Genotype } from '../../space/genotype';
import { DARTS_PRIMITIVES, NB201_PRIMITIVES } from '../../space/primitives';
import { Rng } from '../../space/rng';
import { getSpace } from '../../space/spaces';
import { confusionCsv } from '../../train/evaluate';
import { LOG_COLUMNS as TRAIN_COLUMNS } from '../../train/retrain';

const r6 = (v: number) => Number(v.toPrecision(6));

/** A loss/accuracy trajectory that improves with noise, as log rows without the run-specific columns. */
function curve(epoch: number, epochs: number, rng: Rng): Row {
  const t = (epoch + 1) / epochs;
  const noise = () => 0.02 * rng.normal();
  const lr = 0.001 + 0.5 * (0.025 - 0.001) * (1 + Math.cos((Math.PI * epoch) / epochs));
  return { lr: r6(lr), train_loss: r6(2.3 - 1.6 * t + noise()), train_acc: r6(0.1 + 0.8 * t + noise()), valid_loss: r6(2.3 - 1.3 * t + noise()), valid_acc: r6(0.1 + 0.7 * t + noise()), seconds: 1 };
}

export interface SearchFixture {
  space?: 'darts' | 'nb201';
  /** Epochs written (default `totalEpochs`: a finished run). */
  epochs?: number;
  totalEpochs: number;
  seed?: number;
  /** NB201: add the benchmark columns of `--table`. */
  table?: boolean;
}

/** A search run folder whose α drift towards skip_connect (the collapse the report must show). */
export function writeSearchRun(dir: string, o: SearchFixture): void {
  const space = o.space ?? 'darts';
  const rng = new Rng(o.seed ?? 0);
  const ops: readonly string[] = space === 'darts' ? DARTS_PRIMITIVES : NB201_PRIMITIVES;
  const edges = space === 'darts' ? dartsEdgeLabels() : nb201EdgeLabels();
  const cells = space === 'darts' ? ['normal', 'reduce'] : ['cell'];
  const alpha = cells.map(() => edges.map(() => ops.map(() => 1e-3 * rng.normal())));
  const log: Row[] = [];
  const alphas: Row[] = [];
  const epochs = o.epochs ?? o.totalEpochs;
  for (let e = 0; e < epochs; e++) {
    alpha.forEach((m) => m.forEach((row) => row.forEach((_, k) => (row[k] += 0.05 * rng.normal() + (ops[k] === 'skip_connect' ? 0.04 : 0)))));
    const w = alpha.map((m) => softmax(m));
    w.forEach((m, c) => m.forEach((row, i) => row.forEach((x, k) => alphas.push({ epoch: e, cell: cells[c], edge: edges[i], op: ops[k], weight: r6(x) }))));
    const genotype = space === 'darts' ? formatDartsGenotype(deriveDartsGenotype(w[0], w[1])) : formatNb201Genotype(deriveNb201Genotype(w[0]));
    const bench = o.table ? { nb201_valid_12ep: r6(60 + 20 * rng.next()), nb201_test_200ep: r6(70 + 20 * rng.next()) } : {};
    log.push({ epoch: e, ...curve(e, o.totalEpochs, rng), genotype, ...bench });
  }
  const config = { space, dataset: 'cifar10', seed: o.seed ?? 0, epochs: o.totalEpochs, batchSize: 64, layers: space === 'darts' ? 8 : 5, initChannels: 16, order: 1, table: o.table ? 'nb201.csv' : null };
  writeJsonAtomic(path.join(dir, 'config.json'), { config, backend: 'wasm', params: 1930618, versions: { tfnas: 'test' }, started: '2026-01-01T00:00:00.000Z' });
  const columns = o.table ? [...SEARCH_COLUMNS, 'nb201_valid_12ep', 'nb201_test_200ep'] : SEARCH_COLUMNS;
  if (epochs > 0) writeCsv(path.join(dir, 'log.csv'), columns, log);
  writeCsv(path.join(dir, 'alphas.csv'), ALPHA_COLUMNS, alphas);
}

export interface TrainFixture {
  epochs?: number;
  totalEpochs: number;
  seed?: number;
  /** Write metrics.json and confusion.csv, as a finished run does (default: when all epochs ran). */
  finished?: boolean;
}

const CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];

/** A retraining run folder of DARTS_V2 on CIFAR-10's classes. */
export function writeTrainRun(dir: string, o: TrainFixture): void {
  const rng = new Rng(o.seed ?? 0);
  const epochs = o.epochs ?? o.totalEpochs;
  const log = Array.from({ length: epochs }, (_, e) => ({ epoch: e, ...curve(e, o.totalEpochs, rng) }));
  const genotype = builtinGenotype('DARTS_V2');
  const options = { genotype, genotypeName: 'DARTS_V2', C: 36, layers: 20, auxiliary: true, batchSize: 96, epochs: o.totalEpochs, seed: o.seed ?? 0, runDir: dir, resume: false };
  writeJsonAtomic(path.join(dir, 'config.json'), { command: 'train', options, dataset: { name: 'cifar10', train: 50000, test: 10000 }, params: 3825768, params_without_auxiliary: 3349342 });
  if (epochs > 0) writeCsv(path.join(dir, 'log.csv'), TRAIN_COLUMNS, log);
  if (!(o.finished ?? epochs === o.totalEpochs)) return;
  const confusion = CLASSES.map((_, i) => CLASSES.map((__, j) => (i === j ? 800 : Math.floor(200 / 9 + 10 * rng.next()))));
  const perClass = CLASSES.map((name, i) => {
    const total = confusion[i].reduce((a, b) => a + b, 0);
    return { index: i, name, total, correct: confusion[i][i], accuracy: confusion[i][i] / total };
  });
  fs.writeFileSync(path.join(dir, 'confusion.csv'), confusionCsv({ count: 10000, loss: 0.5, accuracy: 0.8, perClass, confusion }));
  const perClassAccuracy = Object.fromEntries(perClass.map((c) => [c.name, c.accuracy]));
  writeJsonAtomic(path.join(dir, 'metrics.json'), { genotype: 'DARTS_V2', dataset: 'cifar10', test_accuracy: 0.8, test_loss: 0.5, test_count: 10000, params: 3825768, params_without_auxiliary: 3349342, per_class_accuracy: perClassAccuracy });
}

/** A synthetic NAS-Bench-201 table in `dir` (written once). */
export function syntheticTable(dir: string): string {
  const f = path.join(dir, 'nb201.csv');
  return fs.existsSync(f) ? f : writeSyntheticTable(dir);
}

/** A black-box search run folder made by the real search loop on the synthetic table. */
export async function writeBlackBoxRun(dir: string, table: string, o: { strategy: string; seed: number; budget: number; report?: boolean }): Promise<void> {
  const evaluator = new Nb201Evaluator(loadNb201Table(table), 'cifar10');
  await runSearch({ strategy: o.strategy, space: getSpace('nb201'), evaluator, budget: o.budget, seed: o.seed, outDir: dir, resume: false, quiet: true, report: o.report });
}

/** A `tfnas bench nb201` output folder (random and evolution) on the synthetic table. */
export async function writeBenchRun(dir: string, table: string, runs = 3, budget = 40): Promise<void> {
  const t = loadNb201Table(table);
  await runBench({ strategies: ['random', 'evolution'], runs, budget, seed: 0, space: 'nb201', newEvaluator: () => new Nb201Evaluator(t, 'cifar10'), outDir: dir, quiet: true });
}
