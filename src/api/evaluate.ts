/**
 * `evaluate(options)`: what `tfnas eval` runs, as a library call: accuracy, loss, per-class
 * accuracy and a confusion-matrix CSV of a saved model, on a dataset or on in-memory images.
 */
import * as path from 'path';
import { BatchLoader, dataArgsOf, loadDatasetFromArgs } from '../data';
import type { Dataset } from '../data/types';
import { UsageError } from '../io/errors';
import { fsReason } from '../io/out';
import { loadModel } from '../nets/network-io';
import { guardMemory } from '../backend/out-of-memory';
import { evaluate as evaluateBatches, EvalResult, writeConfusionCsv } from '../train/evaluate';
import { RUN_OPTIONS } from '../cli/common';
import { checks, type OptionSpecs } from '../cli/options';
import { dataOf } from './data';
import { logOf, readApiOptions, startApiBackend, type ApiOptions, type DataControls, type RunControls } from './options';

/** Every option of `tfnas eval` (see options.ts). */
export const EVAL_OPTIONS = {
  model: { type: 'string', demand: true, describe: 'folder holding model.json (e.g. <run>/model) or the model.json file' },
  split: { type: 'string', choices: ['test', 'train'], default: 'test', describe: 'which split to evaluate (only that split is read)' },
  'batch-size': { type: 'number', default: 256, check: checks.int(1), describe: 'images per forward pass (memory only; same results)' },
  out: {
    type: 'string', alias: 'confusion', describe: 'confusion-matrix CSV to write',
    defaultDescription: 'results/eval/<model run>/confusion-<dataset>-<split>.csv',
  },
  ...RUN_OPTIONS,
} as const satisfies OptionSpecs;

export type EvaluateOptions = ApiOptions<typeof EVAL_OPTIONS> & Pick<RunControls, 'log'> & DataControls;

/** The `--json` summary of `tfnas eval`. */
export interface EvaluateResult {
  model: string;
  dataset: string;
  split: string;
  count: number;
  accuracy: number;
  loss: number;
  per_class_accuracy: Record<string, number | null>;
  confusion_csv: string;
  /** Every class's counts, for printing. */
  per_class: EvalResult['perClass'];
}

/**
 * Where the confusion CSV goes by default: results/eval/<name of the model's run folder>/, never
 * into the model's folder or its run (which may be someone else's, or read-only).
 */
export function defaultConfusionFile(model: string, dataset: string, split: string): string {
  const modelDir = path.resolve(model.endsWith('.json') ? path.dirname(model) : model);
  const run = path.basename(path.basename(modelDir) === 'model' ? path.dirname(modelDir) : modelDir) || 'model';
  return path.join('results', 'eval', run, `confusion-${dataset}-${split}.csv`);
}

/** Normalisation saved with a tfnas model (the training data's), when present. */
interface SavedMeta {
  tfnas?: { mean?: number[]; std?: number[]; classNames?: string[]; dataset?: string };
}

function checkShapes(modelShape: (number | null)[], d: Dataset, modelDir: string): void {
  const want = modelShape.slice(1);
  if (want.length !== 3 || want.some((v, i) => v !== null && v !== d.shape[i])) {
    throw new UsageError(
      `--model: ${modelDir} takes inputs of shape [${want.join(', ')}], but ${d.name} images are [${d.shape.join(', ')}]`,
    );
  }
}

/**
 * Evaluates the saved model `model` on the `split` of the dataset the options name (or of `data`,
 * in-memory images) and writes the confusion CSV to `out`.
 */
export async function evaluate(options: EvaluateOptions): Promise<EvaluateResult> {
  const { values: a } = readApiOptions(options as Record<string, unknown>, EVAL_OPTIONS, 'eval');
  const log = logOf(options);
  const backend = await startApiBackend(a.backend, log);
  const model = await loadModel(a.model);
  try {
    const split = a.split as 'test' | 'train';
    const dataset = options.data ? await dataOf(options.data, a, log) : await loadDatasetFromArgs(dataArgsOf(a), { only: split, log });
    checkShapes(model.inputs[0].shape, dataset, a.model);
    const out = model.outputs[0].shape;
    if (out[out.length - 1] !== dataset.numClasses) {
      throw new UsageError(`--model: ${a.model} predicts ${out[out.length - 1]} classes, but ${dataset.name} has ${dataset.numClasses}`);
    }
    const meta = (model.getUserDefinedMetadata() ?? {}) as SavedMeta;
    if (meta.tfnas?.dataset && meta.tfnas.dataset !== dataset.name) log(`warning: the model was trained on ${meta.tfnas.dataset}, evaluating on ${dataset.name}`);
    const loader = new BatchLoader(dataset, split, null, { batchSize: a.batchSize, seed: 0, shuffle: false, mean: meta.tfnas?.mean, std: meta.tfnas?.std });
    const r = await guardMemory(
      () => ({
        pass: `the evaluation of ${a.model}`,
        config: `batch ${a.batchSize}, ${dataset.name} ${a.split} split`,
        backend,
        kept: 'nothing was written',
        advice: [`a smaller --batch-size (now ${a.batchSize})`],
      }),
      () => evaluateBatches(model, loader.epochBatches(), dataset.numClasses, dataset.classNames),
    );
    const confusionFile = a.out ?? defaultConfusionFile(a.model, dataset.name, a.split);
    try {
      writeConfusionCsv(confusionFile, r);
    } catch (e) {
      throw new UsageError(`--out: cannot write ${confusionFile}: ${fsReason(e, confusionFile)}`);
    }
    return {
      model: a.model,
      dataset: dataset.name,
      split: a.split,
      count: r.count,
      accuracy: r.accuracy,
      loss: r.loss,
      per_class_accuracy: Object.fromEntries(r.perClass.map((c) => [c.name, c.accuracy])),
      confusion_csv: confusionFile,
      per_class: r.perClass,
    };
  } finally {
    model.dispose();
  }
}
