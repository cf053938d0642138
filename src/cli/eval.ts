import * as path from 'path';
import type { Argv, CommandModule } from 'yargs';
import { BatchLoader, dataArgsOf, loadDatasetFromArgs } from '../data';
import type { Dataset } from '../data/types';
import { UsageError } from '../io/errors';
import { fsReason } from '../io/out';
import { loadModel } from '../nets/network-io';
import { guardMemory } from '../backend/out-of-memory';
import { evaluate, EvalResult, writeConfusionCsv } from '../train/evaluate';
import { printJsonSummary, RUN_OPTIONS, startBackend } from './common';
import { addOptions, checks, readOptions, type OptionSpecs, type Values } from './options';

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

type EvalArgs = Values<typeof EVAL_OPTIONS>;

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

async function handler(argv: Record<string, unknown>): Promise<void> {
  const a = readOptions(argv, EVAL_OPTIONS, 'eval');
  const backend = await startBackend(a.backend);
  const model = await loadModel(a.model);
  try {
    const dataset = await loadDatasetFromArgs(dataArgsOf(a), { only: a.split as 'test' | 'train' });
    checkShapes(model.inputs[0].shape, dataset, a.model);
    const out = model.outputs[0].shape;
    if (out[out.length - 1] !== dataset.numClasses) {
      throw new UsageError(`--model: ${a.model} predicts ${out[out.length - 1]} classes, but ${dataset.name} has ${dataset.numClasses}`);
    }
    const meta = (model.getUserDefinedMetadata() ?? {}) as SavedMeta;
    if (meta.tfnas?.dataset && meta.tfnas.dataset !== dataset.name) {
      process.stderr.write(`tfnas: warning: the model was trained on ${meta.tfnas.dataset}, evaluating on ${dataset.name}\n`);
    }
    const loader = new BatchLoader(dataset, a.split as 'test' | 'train', null, {
      batchSize: a.batchSize,
      seed: 0,
      shuffle: false,
      mean: meta.tfnas?.mean,
      std: meta.tfnas?.std,
    });
    const r = await guardMemory(
      () => ({
        pass: `the evaluation of ${a.model}`,
        config: `batch ${a.batchSize}, ${dataset.name} ${a.split} split`,
        backend,
        kept: 'nothing was written',
        advice: [`a smaller --batch-size (now ${a.batchSize})`],
      }),
      () => evaluate(model, loader.epochBatches(), dataset.numClasses, dataset.classNames),
    );
    const confusionFile = a.out ?? defaultConfusionFile(a.model, dataset.name, a.split);
    try {
      writeConfusionCsv(confusionFile, r);
    } catch (e) {
      throw new UsageError(`--out: cannot write ${confusionFile}: ${fsReason(e, confusionFile)}`);
    }
    report(a, dataset, r, confusionFile);
  } finally {
    model.dispose();
  }
}

function report(a: EvalArgs, dataset: Dataset, r: EvalResult, confusionFile: string): void {
  if (a.json) {
    printJsonSummary({
      model: a.model,
      dataset: dataset.name,
      split: a.split,
      count: r.count,
      accuracy: r.accuracy,
      loss: r.loss,
      per_class_accuracy: Object.fromEntries(r.perClass.map((c) => [c.name, c.accuracy])),
      confusion_csv: confusionFile,
    });
    return;
  }
  const lines = [
    `${dataset.name} ${a.split}: accuracy ${(100 * r.accuracy).toFixed(2)}% (${r.count} images), loss ${r.loss.toFixed(4)}`,
    ...r.perClass.map((c) => `  ${c.name.padEnd(12)} ${c.accuracy === null ? '   n/a' : (100 * c.accuracy).toFixed(2).padStart(6) + '%'} (${c.correct}/${c.total})`),
    `confusion matrix: ${confusionFile}`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

/** `tfnas eval`: accuracy, loss, per-class accuracy and a confusion matrix of a saved model. */
export const evalCommand: CommandModule = {
  command: 'eval',
  describe: 'Evaluate a saved model: accuracy, loss, per-class accuracy, confusion CSV (e.g. tfnas eval --model results/train/cifar10/DARTS_V2-seed-0/model)',
  builder: ((y: Argv) =>
    addOptions(y, EVAL_OPTIONS)
      .example('tfnas eval --model results/train/cifar10/DARTS_V2-seed-0/model', 'test accuracy of a trained model')
      .example('tfnas eval --model run/model --split train --out train-confusion.csv --json', 'training-set figures as JSON')) as never,
  handler: handler as never,
};
