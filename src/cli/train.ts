import * as path from 'path';
import type { Argv, CommandModule } from 'yargs';
import { dataArgsOf, getFactory, loadDatasetFromArgs } from '../data';
import { runRecord, savedOptions } from '../io/run-config';
import { RECOMPUTE_SETTINGS, type RecomputeSetting } from '../nets/supernet-memory';
import { buildNetwork, countParams, disposeNetwork, formatParamsMillions, NetworkConfig } from '../nets/network';
import { resolveGenotype, type ResolvedGenotype } from '../space/genotype';
import { retrain, RETRAIN_DEFAULTS, RetrainOptions } from '../train/retrain';
import { printJsonSummary, RUN_OPTIONS, startBackend } from './common';
import { addOptions, checkResume, checks, readOptions, recordOptions, type OptionSpecs, type Values } from './options';

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
  ...RUN_OPTIONS,
} as const satisfies OptionSpecs;

type TrainValues = Values<typeof TRAIN_OPTIONS>;

function addTrainOptions(y: Argv): Argv {
  return addOptions(y, TRAIN_OPTIONS)
    .example('tfnas train --genotype DARTS_V2 --dry-run', 'parameter counts of the paper configuration')
    .example('tfnas train --genotype DARTS_V2 --init-channels 16 --layers 8 --epochs 10 --train-limit 5000', 'a short retraining')
    .example('tfnas train --genotype results/search/darts/cifar10/seed-0', 'retrain the cell a search found')
    .example('tfnas train --config results/train/cifar10/DARTS_V2-seed-0/config.json --out again', 'repeat a run');
}

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

async function dryRun(a: TrainValues, g: ResolvedGenotype, label: string): Promise<void> {
  const cfg = networkConfigFromArgs(a);
  const net = buildNetwork(g.genotype as RetrainOptions['genotype'], cfg);
  const counts = countParams(net);
  disposeNetwork(net);
  const summary = {
    genotype: label,
    init_channels: cfg.C,
    layers: cfg.layers,
    num_classes: cfg.numClasses,
    input_shape: cfg.inputShape,
    auxiliary: cfg.auxiliary,
    ...counts,
    params_millions: formatParamsMillions(counts.params_without_auxiliary),
  };
  if (a.json) printJsonSummary(summary);
  else {
    process.stdout.write(
      `${label}: ${summary.params_millions} parameters without the auxiliary head ` +
        `(${counts.params_without_auxiliary.toLocaleString('en-US')} exactly; ${counts.params.toLocaleString('en-US')} with it)\n`,
    );
  }
}

async function handler(argv: Record<string, unknown>): Promise<void> {
  const a = readOptions(argv, TRAIN_OPTIONS, 'train');
  const g = resolveGenotype(a.genotype);
  const label = genotypeLabel(g);
  const runDir = a.out ?? path.join('results', 'train', a.dataset, `${label}-seed-${a.seed}`);
  const options = recordOptions(a, TRAIN_OPTIONS);
  if (a.resume && !a.dryRun) checkResume(runDir, savedOptions(runDir), options, TRAIN_OPTIONS);
  const backend = await startBackend(a.backend);
  if (a.dryRun) return dryRun(a, g, label);
  const dataset = await loadDatasetFromArgs(dataArgsOf(a));
  const r = await retrain(dataset, {
    genotype: g.genotype as RetrainOptions['genotype'],
    genotypeName: label,
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
    runDir,
    resume: a.resume,
    report: a.report,
    record: runRecord('train', options, backend),
    log: (line) => process.stderr.write(`tfnas: ${line}\n`),
  });
  const acc = (100 * r.test.accuracy).toFixed(2);
  process.stderr.write(
    `tfnas: ${label}: test accuracy ${acc}% on ${r.test.count} images; ${formatParamsMillions(r.paramsWithoutAuxiliary)} parameters ` +
      `(${r.paramsWithoutAuxiliary.toLocaleString('en-US')} without the auxiliary head); model in ${r.modelDir}\n`,
  );
  if (a.json) {
    printJsonSummary({
      run_dir: runDir,
      model_dir: r.modelDir,
      test_accuracy: r.test.accuracy,
      test_loss: r.test.loss,
      params: r.params,
      params_without_auxiliary: r.paramsWithoutAuxiliary,
      epochs: a.epochs,
      seconds: r.seconds,
    });
  }
}

/** `tfnas train`: retrain a genotype from scratch as the DARTS paper does (CIFAR-10 evaluation settings). */
export const trainCommand: CommandModule = {
  command: 'train',
  describe: 'Retrain a genotype from scratch and save the model (e.g. tfnas train --genotype DARTS_V2 --epochs 600)',
  builder: addTrainOptions as never,
  handler: handler as never,
};
