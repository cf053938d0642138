/**
 * `train(options)`: what `tfnas train` runs, as a library call: retrain a genotype from scratch
 * (the DARTS paper's CIFAR-10 evaluation settings by default), save the model, report test figures.
 * The options are TRAIN_OPTIONS in camelCase; the result is the `--json` summary.
 */
import * as path from 'path';
import { getFactory } from '../data';
import { withRunHooks } from '../io/run-hooks';
import { runRecord, savedOptions } from '../io/run-config';
import { RECOMPUTE_SETTINGS, type RecomputeSetting } from '../nets/supernet-memory';
import { buildNetwork, countParams, disposeNetwork, formatParamsMillions, NetworkConfig } from '../nets/network';
import { resolveGenotype, type ResolvedGenotype } from '../space/genotype';
import { retrain, RETRAIN_DEFAULTS, RetrainOptions } from '../train/retrain';
import { RUN_OPTIONS } from '../cli/common';
import { checkResume, checks, recordOptions, type OptionSpecs, type Values } from '../cli/options';
import { dataOf } from './data';
import { WORKERS_OPTION } from '../search/search-options';
import { checkWorkers, defaultWorkers } from '../train/parallel/workers';
import { logOf, readApiOptions, startApiBackend, type ApiOptions, type DataControls, type RunControls } from './options';

const D = RETRAIN_DEFAULTS;
const T = 'Training:';

/** Every option of `tfnas train`: flag, type, default, why, check (see options.ts). */
export const TRAIN_OPTIONS = {
  genotype: { type: 'string', default: 'DARTS_V2', describe: 'built-in name (DARTS_V2, …), JSON file, tfnas search run folder or DARTS string' },
  'init-channels': { type: 'number', default: D.C, check: checks.int(1), group: T, describe: 'initial channels C (the stem has 3C)' },
  layers: { type: 'number', default: D.layers, check: checks.int(1), group: T, describe: 'number of cells (reduction cells at 1/3 and 2/3)' },
  'batch-size': { type: 'number', default: D.batchSize, check: checks.int(1), group: T, describe: 'images per step' },
  epochs: { type: 'number', default: D.epochs, check: checks.int(1), group: T, describe: 'training epochs (the paper: 600)' },
  'learning-rate': { type: 'number', alias: 'lr', default: D.lr, check: checks.positive, group: T, describe: 'initial SGD learning rate (cosine-annealed to --learning-rate-min)' },
  'learning-rate-min': { type: 'number', alias: 'lr-min', default: D.lrMin, check: checks.atLeast(0), group: T, describe: 'final learning rate' },
  momentum: { type: 'number', default: D.momentum, check: checks.probability, group: T, describe: 'SGD momentum' },
  'weight-decay': { type: 'number', default: D.weightDecay, check: checks.atLeast(0), group: T, describe: 'L2 weight decay' },
  'grad-clip': { type: 'number', default: D.gradClip, check: checks.atLeast(0), group: T, describe: 'gradient global-norm clip (0: off)' },
  cutout: { type: 'number', default: D.cutout, check: checks.int(0), group: T, describe: 'cutout side in pixels (0: off)' },
  'crop-padding': { type: 'number', default: D.cropPadding, check: checks.int(0), group: T, describe: 'random-crop zero padding (0: no crop)' },
  'drop-path': { type: 'number', default: D.dropPath, check: checks.probability, group: T, describe: 'drop-path probability reached at the last epoch (ramped linearly)' },
  auxiliary: { type: 'boolean', default: D.auxiliary, group: T, describe: 'auxiliary head at 2/3 depth (--no-auxiliary to turn off)' },
  'aux-weight': { type: 'number', default: D.auxWeight, check: checks.atLeast(0), group: T, describe: 'weight of the auxiliary loss' },
  seed: { type: 'number', default: D.seed, check: checks.int(0), describe: 'seed of the weights, data order, augmentation and drop-path' },
  recompute: {
    type: 'string', choices: RECOMPUTE_SETTINGS, default: D.recompute, shapes: false, group: T,
    describe: 'gradient checkpointing: auto (none if it fits the backend\'s memory, else cells), cells (least memory), edges, none (keep everything); same results',
  },
  out: { type: 'string', shapes: false, describe: 'run folder', defaultDescription: 'results/train/<dataset>/<genotype>-seed-<seed>' },
  resume: { type: 'boolean', default: false, record: false, describe: 'continue the run in --out from its last checkpoint' },
  'dry-run': { type: 'boolean', default: false, record: false, describe: 'build the network and print its parameter counts; no data, no training' },
  report: { type: 'boolean', default: true, shapes: false, describe: 'rewrite report.html in the run folder after every epoch (--no-report: off)' },
  workers: { ...WORKERS_OPTION, group: T },
  ...RUN_OPTIONS,
} as const satisfies OptionSpecs;

type TrainValues = Values<typeof TRAIN_OPTIONS>;

/** A file-system-safe name for run folders: the built-in name, the file/folder name, or "custom". */
export function genotypeLabel(g: ResolvedGenotype): string {
  if (g.source.startsWith('built-in ')) return g.source.slice('built-in '.length);
  const m = /^file (.*)$/.exec(g.source);
  if (!m) return 'custom';
  const file = path.resolve(m[1]);
  const safe = (s: string) => s.replace(/[^A-Za-z0-9_.-]+/g, '_');
  if (['genotype.json', 'best.json'].includes(path.basename(file))) {
    // A search run folder (…/seed-3, …/evolution-seed-3): its space, strategy and the search's
    // seed as s3; the retraining run appends its own seed: darts-s3-seed-0, not seed-3-seed-0.
    const run = path.basename(path.dirname(file)).replace(/(^|-)seed-(\d+)$/, '$1s$2');
    return safe(`${g.space}-${run}`);
  }
  return safe(path.basename(file, path.extname(file))) || 'custom';
}

function networkConfigFromArgs(a: TrainValues): NetworkConfig {
  const f = getFactory(a.dataset);
  const synthetic = a.dataset === 'synthetic';
  return {
    C: a.initChannels,
    layers: a.layers,
    numClasses: synthetic ? a.syntheticClasses : f.numClasses,
    inputShape: synthetic ? [a.syntheticSize, a.syntheticSize, a.syntheticChannels] : f.shape,
    auxiliary: a.auxiliary,
    seed: a.seed,
  };
}

/** What `dryRun: true` returns: the network's parameter counts (no data read, nothing trained). */
export interface TrainDryRun {
  dryRun: true;
  genotype: string;
  init_channels: number;
  layers: number;
  num_classes: number;
  input_shape: number[];
  auxiliary: boolean;
  params: number;
  params_without_auxiliary: number;
  params_millions: string;
}

/** What a retraining returns (the `--json` summary). */
export interface TrainResult {
  genotype: string;
  run_dir: string;
  model_dir: string;
  test_accuracy: number;
  test_loss: number;
  test_count: number;
  params: number;
  params_without_auxiliary: number;
  epochs: number;
  seconds: number;
}

export type TrainOptions = ApiOptions<typeof TRAIN_OPTIONS> & RunControls & DataControls;

function dryRun(a: TrainValues, g: ResolvedGenotype, label: string): TrainDryRun {
  const cfg = networkConfigFromArgs(a);
  const net = buildNetwork(g.genotype as RetrainOptions['genotype'], cfg);
  const counts = countParams(net);
  disposeNetwork(net);
  return {
    dryRun: true,
    genotype: label,
    init_channels: cfg.C,
    layers: cfg.layers,
    num_classes: cfg.numClasses,
    input_shape: cfg.inputShape,
    auxiliary: cfg.auxiliary,
    params: counts.params,
    params_without_auxiliary: counts.params_without_auxiliary,
    params_millions: formatParamsMillions(counts.params_without_auxiliary),
  };
}

/**
 * Retrains a genotype (or, with `resume: true`, continues the run in `out`) and resolves with its
 * test figures. `onProgress` gets every step and epoch; `signal` aborts at the next step (TfnasError
 * `ABORTED`; the run folder keeps the checkpoint of the last finished epoch).
 */
export async function train(options: TrainOptions = {}): Promise<TrainResult | TrainDryRun> {
  const { values: a } = readApiOptions(options as Record<string, unknown>, TRAIN_OPTIONS, 'train');
  const log = logOf(options);
  const g = resolveGenotype(a.genotype);
  const label = genotypeLabel(g);
  const dataName = options.data ? (options.data.name ?? 'memory') : a.dataset;
  const runDir = a.out ?? path.join('results', 'train', dataName, `${label}-seed-${a.seed}`);
  const record = recordOptions(a, TRAIN_OPTIONS);
  if (a.resume && !a.dryRun) checkResume(runDir, savedOptions(runDir), record, TRAIN_OPTIONS);
  const backend = await startApiBackend(a.backend, log);
  if (a.dryRun) return dryRun(a, g, label);
  return withRunHooks({ onProgress: options.onProgress, signal: options.signal }, async () => {
    const dataset = await dataOf(options.data, a, log);
    const r = await retrain(dataset, {
      ...retrainSettings(a),
      genotype: g.genotype as RetrainOptions['genotype'],
      genotypeName: label,
      runDir,
      resume: a.resume,
      report: a.report,
      record: runRecord('train', record, backend),
      log,
      workers: checkWorkers(a.workers ?? defaultWorkers(), backend, a.workers !== undefined),
    });
    log(
      `${label}: test accuracy ${(100 * r.test.accuracy).toFixed(2)}% on ${r.test.count} images; ${formatParamsMillions(r.paramsWithoutAuxiliary)} parameters ` +
        `(${r.paramsWithoutAuxiliary.toLocaleString('en-US')} without the auxiliary head); model in ${r.modelDir}`,
    );
    return {
      genotype: label,
      run_dir: runDir,
      model_dir: r.modelDir,
      test_accuracy: r.test.accuracy,
      test_loss: r.test.loss,
      test_count: r.test.count,
      params: r.params,
      params_without_auxiliary: r.paramsWithoutAuxiliary,
      epochs: a.epochs,
      seconds: r.seconds,
    };
  });
}

/** The training settings of retrain from the checked options. */
function retrainSettings(a: TrainValues) {
  return {
    C: a.initChannels,
    layers: a.layers,
    auxiliary: a.auxiliary,
    batchSize: a.batchSize,
    epochs: a.epochs,
    lr: a.learningRate,
    lrMin: a.learningRateMin,
    momentum: a.momentum,
    weightDecay: a.weightDecay,
    gradClip: a.gradClip,
    auxWeight: a.auxWeight,
    cropPadding: a.cropPadding,
    cutout: a.cutout,
    dropPath: a.dropPath,
    seed: a.seed,
    recompute: a.recompute as RecomputeSetting,
  };
}
