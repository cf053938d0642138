import * as path from 'path';
import type { Argv, CommandModule } from 'yargs';
import { addDataOptions, BatchLoader, DataArgs, loadDatasetFromArgs } from '../data';
import type { Dataset } from '../data/types';
import { badArgument, UsageError } from '../io/errors';
import { loadModel } from '../nets/network-io';
import { guardMemory } from '../backend/out-of-memory';
import { evaluate, EvalResult, writeConfusionCsv } from '../train/evaluate';
import { backendOption, BackendArgs, printJsonSummary, startBackend } from './common';

interface EvalArgs extends DataArgs, BackendArgs {
  model: string;
  split: 'test' | 'train';
  'batch-size': number;
  confusion?: string;
  json: boolean;
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

async function handler(a: EvalArgs): Promise<void> {
  if (!Number.isInteger(a['batch-size']) || a['batch-size'] < 1) badArgument('batch-size', 'a positive integer', a['batch-size']);
  const backend = await startBackend(a.backend);
  const model = await loadModel(a.model);
  try {
    const dataset = await loadDatasetFromArgs(a);
    checkShapes(model.inputs[0].shape, dataset, a.model);
    const out = model.outputs[0].shape;
    if (out[out.length - 1] !== dataset.numClasses) {
      throw new UsageError(`--model: ${a.model} predicts ${out[out.length - 1]} classes, but ${dataset.name} has ${dataset.numClasses}`);
    }
    const meta = (model.getUserDefinedMetadata() ?? {}) as SavedMeta;
    if (meta.tfnas?.dataset && meta.tfnas.dataset !== dataset.name) {
      process.stderr.write(`tfnas: warning: the model was trained on ${meta.tfnas.dataset}, evaluating on ${dataset.name}\n`);
    }
    const loader = new BatchLoader(dataset, a.split, null, {
      batchSize: a['batch-size'],
      seed: 0,
      shuffle: false,
      mean: meta.tfnas?.mean,
      std: meta.tfnas?.std,
    });
    const r = await guardMemory(
      () => ({
        pass: `the evaluation of ${a.model}`,
        config: `batch ${a['batch-size']}, ${dataset.name} ${a.split} split`,
        backend,
        kept: 'nothing was written',
        advice: [`a smaller --batch-size (now ${a['batch-size']})`],
      }),
      () => evaluate(model, loader.epochBatches(), dataset.numClasses, dataset.classNames),
    );
    const modelDir = a.model.endsWith('.json') ? path.dirname(a.model) : a.model;
    const confusionFile = a.confusion ?? path.join(path.dirname(path.resolve(modelDir)), `confusion-${dataset.name}-${a.split}.csv`);
    writeConfusionCsv(confusionFile, r);
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
export const evalCommand: CommandModule<object, EvalArgs> = {
  command: 'eval',
  describe: 'Evaluate a saved model: accuracy, loss, per-class accuracy, confusion CSV (e.g. tfnas eval --model results/train/cifar10/DARTS_V2-seed-0/model)',
  builder: ((y: Argv) =>
    addDataOptions(backendOption(y))
      .option('model', { type: 'string', demandOption: true, describe: 'folder holding model.json (e.g. <run>/model) or the model.json file' })
      .option('split', { type: 'string', choices: ['test', 'train'], default: 'test', describe: 'which split to evaluate' })
      .option('batch-size', { type: 'number', default: 256 })
      .option('confusion', { type: 'string', describe: 'confusion-matrix CSV to write (default: beside the model folder)' })
      .option('json', { type: 'boolean', default: false, describe: 'print a JSON summary as the last line on stdout' })) as never,
  handler,
};
