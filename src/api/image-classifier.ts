/**
 * `ImageClassifier`: architecture search in two lines, as AutoKeras's ImageClassifier
 * (`new ImageClassifier({ maxTrials }).fit(x, y)`). Each trial trains one candidate of the macro
 * space (or the DARTS space) for `epochs` epochs on the training part of `x` and scores it on the
 * held-out validation part; a black-box searcher proposes the next. The best trial's network is
 * the classifier: `predict`, `evaluate`, `export` (a model.json for tf.loadLayersModel in the
 * browser that takes raw 0–255 pixels and gives class probabilities) and `summary`. Everything
 * lives in `directory`: a fit that crashed or was aborted resumes there with the same options.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { readJson, writeJsonAtomic } from '../io/atomic';
import { readCsv } from '../io/csv';
import { TfnasError } from '../io/errors';
import type { ProgressEvent } from '../io/run-hooks';
import { loadModel, saveModel } from '../nets/network-io';
import type { SearcherName } from '../search/blackbox/registry';
import type { Dataset } from '../data/types';
import { holdOutDataset, trainCandidate, TRAIN_EVALUATOR_DEFAULTS } from '../search/evaluators/train-evaluator';
import { MACRO_INITIAL, macroFromKey } from '../space/macro-space';
import { macroCost } from '../space/macro-budget';
import { getSpace } from '../space/spaces';
import { macroDiagram } from '../viz/macro-text';
import { datasetFromArrays, type Images, type Labels } from './data';
import { search } from './search';
import { inferenceModel, pixelsTensor } from './image-model';

export interface ImageClassifierOptions {
  /** Candidate networks trained (search queries). Default 6. */
  maxTrials?: number;
  /** Epochs each candidate trains. Default 3. */
  epochs?: number;
  /** `macro` (default): chain CNNs; `darts`: DARTS cells in the search-size network (slow on a CPU). */
  space?: 'macro' | 'darts';
  /** Any black-box searcher. Default `evolution` (regularized evolution, Real et al. 2019). */
  strategy?: SearcherName;
  seed?: number;
  /** TensorFlow.js backend (default `auto`). */
  backend?: string;
  /** Where trials, checkpoints and the result live. Default `image_classifier`. */
  directory?: string;
  /** Macro space: the compute budget in million multiply-accumulates per 32×32 image. Default 15 (the plain CNN: 6.1). */
  maxMacs?: number;
  batchSize?: number;
  /**
   * Architectures (genotype keys) tried first, before the strategy explores: AutoKeras's tuners
   * start from known-good `initial_hps` the same way. Default for `macro`: MACRO_INITIAL (the seed
   * example's plain CNN and two stronger chains); for `darts`: none.
   */
  initial?: string[];
  /**
   * After the search, train the best architecture again from scratch on all the images (the
   * validation part too) for `epochs` epochs, and make that the classifier, as AutoKeras's final
   * fit does. Default true; false keeps the best trial's own network.
   */
  refit?: boolean;
  /** Where progress lines go (default: stderr). */
  log?: (line: string) => void;
}

export interface Trial {
  trial: number;
  architecture: string;
  /** Accuracy (fraction) on the validation part. */
  valAccuracy: number;
}

export interface FitOptions {
  /** Share of `x` held out to score the candidates. Default 0.2. */
  validationSplit?: number;
  /** `[H, W, C]` of one image, when `x` is a typed array (a tensor carries its shape). */
  shape?: [number, number, number];
  onTrial?: (t: Trial & { best: Trial }) => void;
  onProgress?: (e: ProgressEvent) => void;
  signal?: AbortSignal;
}

export interface ClassifierSummary {
  trials: Trial[];
  best: Trial & { params: number };
  /** The best network, drawn as text (macro: layer by layer; darts: the genotype). */
  drawn: string;
}

interface Saved {
  best: Trial;
  /** The classifier's network: the refit one, or the best trial's. */
  modelDir: string;
  refit: boolean;
  numClasses: number;
  shape: [number, number, number];
}

const DEFAULTS = { maxTrials: 6, epochs: 3, space: 'macro' as 'macro' | 'darts', strategy: 'evolution' as SearcherName, seed: 0, backend: 'auto', directory: 'image_classifier', maxMacs: 15, batchSize: 64, refit: true, initial: undefined as string[] | undefined };
const RESULT = 'classifier.json';

function checkInt(name: string, v: number, min: number): void {
  if (!Number.isInteger(v) || v < min) throw new TfnasError(`${name}: expected an integer ≥ ${min}, got ${JSON.stringify(v)}`, { option: name, code: 'BAD_OPTION' });
}

/** Searcher settings scaled to a small number of trials (the registry's defaults assume ~150). */
function searcherSettings(strategy: string, trials: number): Record<string, number> {
  const half = Math.max(2, Math.floor(trials / 2));
  if (strategy === 'evolution') return { population: Math.min(10, Math.max(2, half)), tournament: Math.min(3, Math.max(2, half)) };
  if (strategy === 'genetic') return { population: Math.min(20, Math.max(3, half)), tournament: Math.min(3, Math.max(2, half)) };
  if (strategy === 'predictor' || strategy === 'nao') return { init: Math.min(10, half), batch: Math.max(1, Math.min(10, Math.ceil(trials / 4))) };
  return {};
}

/** The first trial of the highest validation accuracy (the searcher's best: ties keep the earlier). */
function bestOf(trials: Trial[]): Trial | null {
  return trials.reduce<Trial | null>((a, b) => (!a || b.valAccuracy > a.valAccuracy ? b : a), null);
}

export class ImageClassifier {
  private readonly o: typeof DEFAULTS & { log?: (line: string) => void };
  private model: tf.LayersModel | null = null;
  private saved: Saved | null = null;

  constructor(options: ImageClassifierOptions = {}) {
    this.o = { ...DEFAULTS, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) } as typeof this.o;
    checkInt('maxTrials', this.o.maxTrials, 1);
    checkInt('epochs', this.o.epochs, 1);
    checkInt('batchSize', this.o.batchSize, 1);
    if (!['macro', 'darts'].includes(this.o.space)) throw new TfnasError(`space: expected macro or darts, got ${JSON.stringify(this.o.space)}`, { option: 'space', code: 'BAD_OPTION' });
    if (!(this.o.maxMacs > 0)) throw new TfnasError(`maxMacs: expected a positive number, got ${JSON.stringify(this.o.maxMacs)}`, { option: 'maxMacs', code: 'BAD_OPTION' });
  }

  private get searchDir(): string {
    return path.join(this.o.directory, 'search');
  }

  /**
   * Searches: `maxTrials` candidates, each trained `epochs` epochs on `1 - validationSplit` of the
   * images and scored on the rest; keeps the best. Resumes a fit of the same options in `directory`.
   */
  async fit(x: Images, y: Labels, options: FitOptions = {}): Promise<ClassifierSummary> {
    const split = options.validationSplit ?? 0.2;
    if (!(split > 0 && split < 1)) throw new TfnasError(`validationSplit: expected a number in (0, 1), got ${JSON.stringify(split)}`, { option: 'validationSplit', code: 'BAD_OPTION' });
    const data = datasetFromArrays({ x, y, shape: options.shape }, { holdOut: false });
    const o = this.o;
    // The best so far, from the trials of an earlier (interrupted) fit first.
    let best: Trial | null = fs.existsSync(path.join(this.searchDir, 'history.csv')) ? bestOf(this.trials()) : null;
    const onProgress = (e: ProgressEvent) => {
      options.onProgress?.(e);
      if (e.kind !== 'query') return;
      const t = { trial: e.query!, architecture: String(e.values.architecture), valAccuracy: Number(e.values.signal) / 100 };
      if (!best || t.valAccuracy > best.valAccuracy) best = t;
      options.onTrial?.({ ...t, best });
    };
    await search({
      strategy: o.strategy, space: o.space, evaluator: 'train', budget: o.maxTrials, seed: o.seed, backend: o.backend,
      trainEpochs: o.epochs, trainBatchSize: o.batchSize, trainPortion: 1 - split, out: this.searchDir, report: false,
      resume: fs.existsSync(path.join(this.searchDir, 'checkpoint.json')),
      ...(o.space === 'macro' ? { macroMaxMacs: o.maxMacs } : {}),
      initial: this.initial(),
      ...searcherSettings(o.strategy, o.maxTrials),
      data, log: o.log, onProgress, signal: options.signal,
    });
    const top = bestOf(this.trials())!;
    const modelDir = o.refit ? await this.refit(top, data, split) : path.join(this.searchDir, 'candidates', String(top.trial).padStart(4, '0'), 'model');
    this.saved = { best: top, modelDir, refit: o.refit, numClasses: data.numClasses, shape: data.shape };
    writeJsonAtomic(path.join(o.directory, RESULT), this.saved);
    await this.loadBest();
    return this.summary();
  }

  /** The initial architectures: the option, else the space's default, those over the compute budget left out. */
  private initial(): string[] {
    if (this.o.initial) return this.o.initial;
    return this.o.space === 'macro' ? MACRO_INITIAL.filter((k) => macroCost(macroFromKey(k)) <= this.o.maxMacs * 1e6) : [];
  }

  /**
   * The best architecture trained from scratch on every image (`refit-<trial>/`, resumable), scored
   * on the validation part it has now also seen (a training figure: not reported).
   */
  private async refit(best: Trial, data: Dataset, split: number): Promise<string> {
    const o = this.o;
    const space = getSpace(o.space);
    const all = { ...data, test: holdOutDataset(data, 1 - split, o.seed).test };
    o.log?.(`refit: ${best.architecture} on all ${data.train.count} images, ${o.epochs} epochs`);
    const runDir = path.join(o.directory, `refit-${String(best.trial).padStart(4, '0')}`);
    const r = await trainCandidate(o.space, space.fromKey(best.architecture), all, { ...TRAIN_EVALUATOR_DEFAULTS, epochs: o.epochs, batchSize: o.batchSize, seed: o.seed, runDir });
    return r.modelDir;
  }

  /** A classifier fitted earlier in `directory` (its trials and best network), without searching again. */
  static async load(directory: string, options: ImageClassifierOptions = {}): Promise<ImageClassifier> {
    const file = path.join(directory, RESULT);
    if (!fs.existsSync(file)) throw new TfnasError(`directory: ${directory} holds no fitted ImageClassifier (no ${RESULT})`, { option: 'directory', code: 'BAD_OPTION' });
    const c = new ImageClassifier({ ...options, directory });
    c.saved = readJson<Saved>(file);
    await c.loadBest();
    return c;
  }

  private async loadBest(): Promise<void> {
    const saved = this.fitted();
    this.model?.dispose();
    const trained = await loadModel(saved.modelDir);
    const meta = (trained.getUserDefinedMetadata() ?? {}) as { tfnas?: { mean: number[]; std: number[] } };
    this.model = inferenceModel(trained, meta.tfnas!.mean, meta.tfnas!.std);
  }

  private fitted(): Saved {
    if (!this.saved) throw new TfnasError('ImageClassifier: call fit() first (or ImageClassifier.load(directory))', { code: 'USAGE' });
    return this.saved;
  }

  /** Class probabilities `[n, classes]` for images of 0–255 pixels (or 0–1 floats), as `fit` took them. */
  predict(x: Images): tf.Tensor2D {
    this.fitted();
    const pixels = pixelsTensor(x, this.saved!.shape);
    try {
      return this.model!.predict(pixels) as tf.Tensor2D;
    } finally {
      pixels.dispose();
    }
  }

  /** Accuracy and mean cross-entropy on labelled images. */
  async evaluate(x: Images, y: Labels): Promise<{ accuracy: number; loss: number; count: number }> {
    const probs = this.predict(x);
    const labels = tf.tensor1d(Array.from(y instanceof tf.Tensor ? await y.data() : y), 'int32');
    const [acc, loss] = tf.tidy(() => {
      const onehot = tf.oneHot(labels, probs.shape[1]);
      const correct = tf.mean(tf.cast(tf.equal(tf.argMax(probs, -1), labels), 'float32'));
      const ce = tf.neg(tf.mean(tf.sum(tf.mul(onehot, tf.log(tf.clipByValue(probs, 1e-7, 1))), -1)));
      return [correct, ce];
    });
    const [a, l] = [(await acc.data())[0], (await loss.data())[0]];
    tf.dispose([probs, labels, acc, loss]);
    return { accuracy: a, loss: l, count: labels.shape[0] };
  }

  /** Writes the browser-ready model (model.json + weights.bin: raw 0–255 pixels in, probabilities out) to `dir`. */
  async export(dir: string): Promise<string> {
    const saved = this.fitted();
    await saveModel(this.model!, dir, { tfnas: { architecture: saved.best.architecture, space: this.o.space, input: 'NHWC pixels 0–255', output: 'class probabilities' } });
    return path.join(dir, 'model.json');
  }

  /** Every trial (from the run folder: a resumed fit's too), the best one, and its network drawn. */
  summary(): ClassifierSummary {
    const saved = this.fitted();
    const drawn = this.o.space === 'macro' ? macroDiagram(macroFromKey(saved.best.architecture), saved.shape, saved.numClasses) : saved.best.architecture;
    return { trials: this.trials(), best: { ...saved.best, params: this.model?.countParams() ?? 0 }, drawn };
  }

  private trials(): Trial[] {
    return readCsv(path.join(this.searchDir, 'history.csv')).map((r) => ({ trial: Number(r.query), architecture: r.architecture, valAccuracy: Number(r.signal) / 100 }));
  }

  dispose(): void {
    this.model?.dispose();
    this.model = null;
  }
}
