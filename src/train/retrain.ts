import * as path from 'path';
import { Batch, BatchLoader } from '../data/loader';
import { mixSeed } from '../data/split';
import type { Dataset } from '../data/types';
import { writeJsonAtomic } from '../io/atomic';
import { runRecord, RunRecord, writeRunConfig } from '../io/run-config';
import type { Row } from '../io/csv';
import type { RecomputeSetting } from '../nets/supernet-memory';
import { countParams, formatParamsMillions, NetworkConfig } from '../nets/network';
import { toInferenceModel } from '../nets/network-export';
import { resolveNetworkRecompute } from '../nets/network-memory';
import { loadModel, saveModel } from '../nets/network-io';
import type { DartsGenotype } from '../space/genotype-types';
import { evaluate, EvalResult, writeConfusionCsv } from './evaluate';
import { Trainer, StepOptions } from './retrain-trainer';
import { refreshReport } from '../report/live';
import { epochProgress, prepareRunDir, runEpochs, runTrainSteps } from './runner';
import { PassInfo, disposeQuietly, guardMemory } from '../backend/out-of-memory';
import { activeBackend } from '../backend';
import { cosineLr, linearRamp } from './schedule';
import { ParallelRetrain } from './parallel/retrain-parallel';
import { replicaBatch } from './parallel/shards';

/** Everything `tfnas train` needs besides the data (defaults: see RETRAIN_DEFAULTS). */
export interface RetrainOptions extends Omit<StepOptions, 'recompute'> {
  /** Gradient checkpointing: auto (none when it fits the backend's memory, else cells), none, edges, cells. */
  recompute?: RecomputeSetting;
  genotype: DartsGenotype;
  genotypeName: string;
  C: number;
  layers: number;
  auxiliary: boolean;
  batchSize: number;
  epochs: number;
  lr: number;
  lrMin: number;
  /** Zero padding of the random crop (DARTS: RandomCrop(32, padding=4)); 0 turns crop off. */
  cropPadding: number;
  /** Cutout side (DARTS --cutout_length 16); 0 turns cutout off. */
  cutout: number;
  /** Final drop-path probability; epoch e uses dropPath·e/epochs. */
  dropPath: number;
  seed: number;
  runDir: string;
  resume: boolean;
  /** The command's record for config.json (options, versions, command line); library calls record their options. */
  record?: RunRecord;
  log?: (line: string) => void;
  /** Rewrite report.html in the run folder after every epoch and at the end. */
  report?: boolean;
  /** Data-parallel worker threads (`--workers`; default 1: this thread computes). */
  workers?: number;
}

/** The paper's CIFAR-10 evaluation settings (DARTS §3.3 and quark0/darts train.py with --auxiliary --cutout). */
export const RETRAIN_DEFAULTS = {
  C: 36,
  layers: 20,
  auxiliary: true,
  batchSize: 96,
  epochs: 600,
  lr: 0.025,
  lrMin: 0,
  momentum: 0.9,
  weightDecay: 3e-4,
  gradClip: 5,
  auxWeight: 0.4,
  cropPadding: 4,
  cutout: 16,
  dropPath: 0.2,
  seed: 0,
  recompute: 'auto' as RecomputeSetting,
};

export const LOG_COLUMNS = ['epoch', 'lr', 'train_loss', 'train_acc', 'valid_loss', 'valid_acc', 'seconds'];

export interface RetrainResult {
  rows: Row[];
  test: EvalResult;
  params: number;
  paramsWithoutAuxiliary: number;
  modelDir: string;
  seconds: number;
}

export function retrainNetworkConfig(o: RetrainOptions, dataset: Dataset): NetworkConfig {
  return {
    C: o.C,
    layers: o.layers,
    numClasses: dataset.numClasses,
    auxiliary: o.auxiliary,
    inputShape: dataset.shape,
    seed: o.seed,
  };
}

/** What must not change between a checkpoint and a resumed run. */
function fingerprint(o: RetrainOptions, dataset: Dataset): Record<string, unknown> {
  return {
    genotype: o.genotype, C: o.C, layers: o.layers, auxiliary: o.auxiliary, dataset: dataset.name,
    trainCount: dataset.train.count, batchSize: o.batchSize, epochs: o.epochs, seed: o.seed,
  };
}

function testBatches(dataset: Dataset, batchSize: number): Iterable<Batch> {
  return new BatchLoader(dataset, 'test', null, { batchSize, seed: 0, shuffle: false }).epochBatches();
}

/** The worker threads of a data-parallel retraining, and whether they hold the main thread's state. */
interface Workers {
  parallel: ParallelRetrain | null;
  pushed: boolean;
}

async function trainEpoch(trainer: Trainer, loader: BatchLoader, o: RetrainOptions, epoch: number, dataset: Dataset, w: Workers): Promise<Row> {
  const lr = cosineLr(epoch, o.epochs, o.lr, o.lrMin);
  // Masks are a function of (seed, epoch, step, cell, edge): a resumed run draws the masks of an uninterrupted one.
  trainer.dropPath = { rate: linearRamp(epoch, o.epochs, o.dropPath), seed: mixSeed(o.seed, 0xd7), epoch, step: 0 };
  loader.seek(epoch, 0);
  const bar = epochProgress(`epoch ${epoch + 1}/${o.epochs}`, loader.batchesPerEpoch);
  const { parallel } = w;
  if (parallel && !w.pushed) await parallel.push(trainer);
  w.pushed = true;
  const { loss, acc } = await guardMemory(
    () => passInfo(o, `the training steps of epoch ${epoch + 1}`, epoch),
    () => runTrainSteps(loader.epochBatches(), bar, (b, step) => (parallel ? parallel.step(b.x, b.y, lr, trainer.dropPath, epoch, step) : trainer.step(b.x, b.y, lr, epoch, step))),
  ).finally(() => bar.stop());
  // The test pass, the checkpoint and the saved model read the main thread's network.
  await parallel?.pull(trainer);
  const valid = await guardMemory(
    () => passInfo(o, `the test pass of epoch ${epoch + 1}`, epoch),
    () => evaluate(trainer.net.predict, testBatches(dataset, o.batchSize), dataset.numClasses),
  );
  return { lr, train_loss: loss.avg, train_acc: acc.avg, valid_loss: valid.loss, valid_acc: valid.accuracy };
}

/** What an out-of-memory report says about a retraining run (see backend/out-of-memory.ts). */
function passInfo(o: RetrainOptions, pass: string, epoch: number): PassInfo {
  const recompute = o.recompute ?? RETRAIN_DEFAULTS.recompute;
  return {
    pass,
    config: `${o.genotypeName} network, batch ${o.batchSize}, C=${o.C}, ${o.layers} cells, recompute ${recompute}`,
    backend: activeBackend() ?? 'unknown',
    kept: epoch === 0 ? 'no epoch had finished, so there is no checkpoint yet' : `the checkpoint of epoch ${epoch} is kept`,
    advice: [
      // --recompute changes memory, not results: the resume check accepts it.
      ...(recompute === 'cells' ? [] : ['the same command with --recompute cells and --resume']),
      `a new run with a smaller --batch-size (now ${o.batchSize})`,
    ],
  };
}

/**
 * Retrains `o.genotype` from scratch on `dataset` (DARTS train.py): SGD with momentum, cosine lr,
 * drop-path ramp, auxiliary loss, gradient clipping, evaluation on the test split every epoch.
 * Writes `config.json`, `log.csv`, `checkpoint/` after every epoch (resumable), and at the end
 * `model/` (the standard-layers inference model), `metrics.json` and `confusion.csv`.
 */
export async function retrain(dataset: Dataset, o: RetrainOptions): Promise<RetrainResult> {
  const t0 = Date.now();
  prepareRunDir(o.runDir, o.resume);
  const ckptDir = path.join(o.runDir, 'checkpoint');
  const cfg = retrainNetworkConfig(o, dataset);
  // On wasm every worker has a heap of its own holding one shard's activations.
  const stepBatch = replicaBatch(o.batchSize, activeBackend() ?? 'wasm', o.workers ?? 1);
  const recompute = resolveNetworkRecompute(o.recompute ?? RETRAIN_DEFAULTS.recompute, o.genotype, cfg, stepBatch);
  o = { ...o, recompute: recompute.mode }; // what ran, for the messages below
  const trainer = new Trainer(o.genotype, cfg, { ...o, recompute: recompute.mode });
  const w: Workers = { parallel: null, pushed: false };
  try {
    if ((o.workers ?? 1) > 1) {
      const step = { momentum: o.momentum, weightDecay: o.weightDecay, gradClip: o.gradClip, auxWeight: o.auxWeight, recompute: recompute.mode };
      w.parallel = await ParallelRetrain.start(trainer, o.genotype, cfg, step, activeBackend() ?? 'wasm', o.workers!, o.batchSize);
    }
    const counts = countParams(trainer.net);
    const fp = fingerprint(o, dataset);
    const { log: _log, report: _report, record, ...options } = o;
    writeRunConfig(o.runDir, record ?? runRecord('train', options, null), { dataset: describe(dataset), ...counts }, o.resume);
    const loader = new BatchLoader(dataset, 'train', null, {
      batchSize: o.batchSize,
      seed: o.seed,
      augment: { crop: o.cropPadding, flip: true, cutout: o.cutout },
    });
    const rows = await runEpochs({
      runDir: o.runDir,
      columns: LOG_COLUMNS,
      epochs: o.epochs,
      resume: o.resume,
      log: o.log,
      report: o.report,
      runEpoch: (epoch) => trainEpoch(trainer, loader, o, epoch, dataset, w),
      save: (epoch) => trainer.save(ckptDir, { epoch, fingerprint: fp }),
      restore: async () => {
        const s = trainer.restore(ckptDir, fp);
        w.pushed = false;
        return s ? s.epoch + 1 : null;
      },
    });
    await w.parallel?.close();
    w.parallel = null;
    const modelDir = path.join(o.runDir, 'model');
    await saveFinalModel(trainer, modelDir, o, dataset, counts.params_without_auxiliary);
    const test = await evaluateSaved(modelDir, dataset, o.batchSize);
    const seconds = (Date.now() - t0) / 1000;
    writeResults(o, dataset, test, counts, seconds);
    trainer.dispose();
    if (o.report) await refreshReport(o.runDir, o.log);
    return { rows, test, params: counts.params, paramsWithoutAuxiliary: counts.params_without_auxiliary, modelDir, seconds };
  } catch (e) {
    await w.parallel?.close().catch(() => undefined);
    disposeQuietly(trainer);
    throw e;
  }
}

/** `metrics.json` (test accuracy, parameter counts) and `confusion.csv` of a finished run. */
function writeResults(o: RetrainOptions, dataset: Dataset, test: EvalResult, counts: ReturnType<typeof countParams>, seconds: number): void {
  writeConfusionCsv(path.join(o.runDir, 'confusion.csv'), test);
  writeJsonAtomic(path.join(o.runDir, 'metrics.json'), {
    genotype: o.genotypeName,
    dataset: dataset.name,
    test_accuracy: test.accuracy,
    test_loss: test.loss,
    test_count: test.count,
    params: counts.params,
    params_without_auxiliary: counts.params_without_auxiliary,
    params_millions: formatParamsMillions(counts.params_without_auxiliary),
    epochs: o.epochs,
    seconds,
    per_class_accuracy: Object.fromEntries(test.perClass.map((c) => [c.name, c.accuracy])),
  });
}

function describe(d: Dataset): Record<string, unknown> {
  return { name: d.name, source: d.source, shape: d.shape, train: d.train.count, test: d.test.count, notes: d.notes };
}

async function saveFinalModel(trainer: Trainer, dir: string, o: RetrainOptions, dataset: Dataset, params: number): Promise<void> {
  const inference = toInferenceModel(trainer.net);
  try {
    await saveModel(inference, dir, {
      tfnas: {
        genotype: o.genotype,
        genotypeName: o.genotypeName,
        C: o.C,
        layers: o.layers,
        dataset: dataset.name,
        classNames: dataset.classNames,
        inputShape: dataset.shape,
        // Inputs are (pixel/255 − mean)/std per channel, as in training.
        mean: dataset.mean,
        std: dataset.std,
        params_without_auxiliary: params,
      },
    });
  } finally {
    inference.dispose();
  }
}

/** Evaluates the saved model as a user would load it, so the reported accuracy is the file's. */
async function evaluateSaved(dir: string, dataset: Dataset, batchSize: number): Promise<EvalResult> {
  const model = await loadModel(dir);
  try {
    return await evaluate(model, testBatches(dataset, batchSize), dataset.numClasses, dataset.classNames);
  } finally {
    model.dispose();
  }
}
