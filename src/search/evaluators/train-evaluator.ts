/**
 * `--evaluator train`: scores a DARTS-space candidate by training it briefly from scratch with the
 * training code of `tfnas train` (src/train/retrain.ts) and measuring its accuracy on a held-out
 * part of the training set. The test set is never used during search (as in DARTS's search split):
 * the training set is cut with the same `searchSplit` DARTS search uses, the first part trains the
 * candidate, the second part is its validation set. Each candidate's run folder lives under
 * `<run>/candidates/<query>/`; an interrupted candidate resumes from its own checkpoint.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { Dataset, DataSplit } from '../../data/types';
import { searchSplit } from '../../data/split';
import { UsageError } from '../../io/errors';
import type { DartsGenotype } from '../../space/genotype-types';
import type { Genotype } from '../../space/spaces';
import { dartsToKey } from '../../space/darts-space';
import { RETRAIN_DEFAULTS, retrain } from '../../train/retrain';
import { MACRO_TRAIN_DEFAULTS, trainMacro } from '../../train/macro-train';
import { disposeMacroNet } from '../../nets/macro-net';
import type { MacroGenotype } from '../../space/macro-space';
import type { EvalResult, Evaluator } from './registry';

/** A short proxy schedule for a small network (DARTS search-size: C = 16, 8 cells), no regularisers. */
export const TRAIN_EVALUATOR_DEFAULTS = { epochs: 10, C: 16, layers: 8, batchSize: 64, trainPortion: 0.5 };

export interface TrainEvaluatorOptions {
  dataset: Dataset;
  /** darts (default): the DARTS network of the cell; macro: the chain network (src/nets/macro-net.ts). */
  space?: 'darts' | 'macro';
  runDir: string;
  seed: number;
  epochs?: number;
  C?: number;
  layers?: number;
  batchSize?: number;
  trainPortion?: number;
}

function subset(split: DataSplit, idx: Int32Array, imageSize: number): DataSplit {
  const images = new Uint8Array(idx.length * imageSize);
  const labels = new Uint8Array(idx.length);
  idx.forEach((src, i) => {
    images.set(split.images.subarray(src * imageSize, (src + 1) * imageSize), i * imageSize);
    labels[i] = split.labels[src];
  });
  return { images, labels, count: idx.length };
}

/** The dataset as the evaluator sees it: `train` = the weights part, `test` = the held-out part of the training set. */
export function holdOutDataset(d: Dataset, portion: number, seed: number): Dataset {
  const split = searchSplit(d.train.count, portion, seed);
  const size = d.shape[0] * d.shape[1] * d.shape[2];
  return {
    ...d,
    train: subset(d.train, split.weights, size),
    test: subset(d.train, split.arch, size),
    notes: [...d.notes, `train evaluator: ${split.weights.length} images train each candidate, ${split.arch.length} held-out images score it`],
  };
}

export class TrainEvaluator implements Evaluator {
  readonly name = 'train';
  private n = 0;
  private readonly data: Dataset;
  private readonly cfg: Required<Omit<TrainEvaluatorOptions, 'dataset' | 'runDir' | 'seed' | 'space'>>;

  constructor(private readonly o: TrainEvaluatorOptions) {
    this.cfg = { ...TRAIN_EVALUATOR_DEFAULTS, ...definedOnly(o) };
    for (const [k, v] of Object.entries(this.cfg)) {
      if (k !== 'trainPortion' && (!Number.isInteger(v) || v < 1)) throw new UsageError(`--train-${k === 'C' ? 'channels' : k}: expected a positive integer, got ${v}`);
    }
    this.data = holdOutDataset(o.dataset, this.cfg.trainPortion, o.seed);
  }

  get describe(): Record<string, string | number> {
    return { dataset: this.o.dataset.name, epochs: this.cfg.epochs, channels: this.cfg.C, layers: this.cfg.layers };
  }

  get queries(): number {
    return this.n;
  }

  async evaluate(g: Genotype, query?: number): Promise<EvalResult> {
    this.n++;
    // The folder is named by the search's query number, so a resumed search finds (and resumes) it;
    // retrain's fingerprint check refuses a folder that holds another genotype.
    const runDir = path.join(this.o.runDir, 'candidates', String(query ?? this.n).padStart(4, '0'));
    const r = await trainCandidate(this.o.space ?? 'darts', g, this.data, { ...this.cfg, seed: this.o.seed, runDir });
    return { signal: r.accuracy * 100 };
  }
}

/**
 * Trains a candidate from scratch on `data.train` and scores it on `data.test`, as the evaluator
 * does for each query (also how ImageClassifier refits its best on all the images): the DARTS
 * network of a cell with tfnas train's code, or a macro chain with Adam (macro-train.ts). Resumes
 * from the checkpoint in `runDir`; the trained model stays in `modelDir`.
 */
export async function trainCandidate(
  space: 'darts' | 'macro',
  g: Genotype,
  data: Dataset,
  cfg: Omit<typeof TRAIN_EVALUATOR_DEFAULTS, 'trainPortion'> & { seed: number; runDir: string },
): Promise<{ accuracy: number; modelDir: string }> {
  const resume = fs.existsSync(path.join(cfg.runDir, 'checkpoint'));
  const common = { epochs: cfg.epochs, batchSize: cfg.batchSize, seed: cfg.seed, runDir: cfg.runDir, resume, log: () => undefined };
  if (space === 'macro') {
    const r = await trainMacro(data, { ...MACRO_TRAIN_DEFAULTS, ...common, genotype: g as MacroGenotype });
    disposeMacroNet(r.model);
    return { accuracy: r.test.accuracy, modelDir: r.modelDir };
  }
  const genotype = g as DartsGenotype;
  const r = await retrain(data, {
    ...RETRAIN_DEFAULTS,
    ...common,
    genotype,
    genotypeName: dartsToKey(genotype),
    C: cfg.C,
    layers: cfg.layers,
    auxiliary: false,
    cutout: 0,
    dropPath: 0,
  });
  return { accuracy: r.test.accuracy, modelDir: r.modelDir };
}

function definedOnly(o: TrainEvaluatorOptions): Partial<typeof TRAIN_EVALUATOR_DEFAULTS> {
  const out: Partial<typeof TRAIN_EVALUATOR_DEFAULTS> = {};
  for (const k of Object.keys(TRAIN_EVALUATOR_DEFAULTS) as (keyof typeof TRAIN_EVALUATOR_DEFAULTS)[]) {
    if (o[k] !== undefined) out[k] = o[k];
  }
  return out;
}
