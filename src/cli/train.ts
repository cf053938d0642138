import * as path from 'path';
import type { Argv, CommandModule } from 'yargs';
import { addDataOptions, DataArgs, getFactory, loadDatasetFromArgs } from '../data';
import { badArgument } from '../io/errors';
import { RECOMPUTE_MODES, type RecomputeMode } from '../nets/layers-recompute';
import { buildNetwork, countParams, disposeNetwork, formatParamsMillions, NetworkConfig } from '../nets/network';
import { resolveGenotype, type ResolvedGenotype } from '../space/genotype';
import { retrain, RETRAIN_DEFAULTS, RetrainOptions } from '../train/retrain';
import { backendOption, BackendArgs, printJsonSummary, startBackend } from './common';

interface TrainArgs extends DataArgs, BackendArgs {
  genotype: string;
  'init-channels': number;
  layers: number;
  'batch-size': number;
  epochs: number;
  lr: number;
  'lr-min': number;
  momentum: number;
  'weight-decay': number;
  'grad-clip': number;
  cutout: number;
  'crop-padding': number;
  'drop-path': number;
  auxiliary: boolean;
  'aux-weight': number;
  seed: number;
  recompute: RecomputeMode;
  out?: string;
  resume: boolean;
  'dry-run': boolean;
  json: boolean;
  report: boolean;
}

const D = RETRAIN_DEFAULTS;

function addTrainOptions(y: Argv): Argv<TrainArgs> {
  const withData = addDataOptions(backendOption(y));
  return withData
    .option('genotype', { type: 'string', default: 'DARTS_V2', describe: 'built-in name (DARTS_V2, …), JSON file, tfnas search run folder or DARTS string' })
    .option('init-channels', { type: 'number', default: D.C, describe: 'initial channels C (the stem has 3C)' })
    .option('layers', { type: 'number', default: D.layers, describe: 'number of cells (reduction cells at 1/3 and 2/3)' })
    .option('batch-size', { type: 'number', default: D.batchSize })
    .option('epochs', { type: 'number', default: D.epochs })
    .option('lr', { type: 'number', default: D.lr, describe: 'initial learning rate (cosine annealed to --lr-min)' })
    .option('lr-min', { type: 'number', default: D.lrMin })
    .option('momentum', { type: 'number', default: D.momentum })
    .option('weight-decay', { type: 'number', default: D.weightDecay })
    .option('grad-clip', { type: 'number', default: D.gradClip, describe: 'gradient global-norm clip (0: off)' })
    .option('cutout', { type: 'number', default: D.cutout, describe: 'cutout side in pixels (0: off)' })
    .option('crop-padding', { type: 'number', default: D.cropPadding, describe: 'random-crop zero padding (0: no crop)' })
    .option('drop-path', { type: 'number', default: D.dropPath, describe: 'drop-path probability reached at the last epoch (ramped linearly)' })
    .option('auxiliary', { type: 'boolean', default: D.auxiliary, describe: 'auxiliary head at 2/3 depth (--no-auxiliary to turn off)' })
    .option('aux-weight', { type: 'number', default: D.auxWeight, describe: 'weight of the auxiliary loss' })
    .option('seed', { type: 'number', default: D.seed })
    .option('recompute', {
      choices: RECOMPUTE_MODES,
      default: D.recompute,
      describe: 'gradient checkpointing: cells (recompute cells and their edges in the backward: same results, least memory), whole-cells (more memory, less compute), none (keep everything)',
    })
    .option('out', { type: 'string', describe: 'run folder (default results/train/<dataset>/<genotype>-seed-<seed>)' })
    .option('resume', { type: 'boolean', default: false, describe: 'continue the run in --out from its last checkpoint' })
    .option('dry-run', { type: 'boolean', default: false, describe: 'build the network and print its parameter counts; no data, no training' })
    .option('json', { type: 'boolean', default: false, describe: 'print a JSON summary as the last line on stdout' })
    .option('report', { type: 'boolean', default: true, describe: 'rewrite report.html in the run folder after every epoch; --no-report turns it off' })
    .example('tfnas train --genotype DARTS_V2 --dry-run', 'parameter counts of the paper configuration')
    .example('tfnas train --genotype DARTS_V2 --init-channels 16 --layers 8 --epochs 10 --train-limit 5000', 'a short retraining') as unknown as Argv<TrainArgs>;
}

/** A file-system-safe name for run folders: the built-in name, the file/folder name, or "custom". */
export function genotypeLabel(g: ResolvedGenotype): string {
  if (g.source.startsWith('built-in ')) return g.source.slice('built-in '.length);
  const m = /^file (.*)$/.exec(g.source);
  if (m) {
    const file = m[1];
    const base = path.basename(file) === 'genotype.json' ? path.basename(path.dirname(file)) : path.basename(file, path.extname(file));
    return base.replace(/[^A-Za-z0-9_.-]+/g, '_') || 'custom';
  }
  return 'custom';
}

function checkArgs(a: TrainArgs): void {
  const posInt = (k: keyof TrainArgs) => {
    const v = a[k] as number;
    if (!Number.isInteger(v) || v < 1) badArgument(k, 'a positive integer', v);
  };
  (['init-channels', 'layers', 'batch-size'] as const).forEach(posInt);
  if (!Number.isInteger(a.epochs) || a.epochs < 0) badArgument('epochs', 'a non-negative integer', a.epochs);
  const nonNeg = ['lr', 'lr-min', 'momentum', 'weight-decay', 'grad-clip', 'aux-weight'] as const;
  for (const k of nonNeg) if (!(a[k] >= 0)) badArgument(k, 'a number ≥ 0', a[k]);
  if (!(a['drop-path'] >= 0 && a['drop-path'] < 1)) badArgument('drop-path', 'a probability in [0, 1)', a['drop-path']);
  for (const k of ['cutout', 'crop-padding'] as const) if (!Number.isInteger(a[k]) || a[k] < 0) badArgument(k, 'a non-negative integer', a[k]);
}

function networkConfigFromArgs(a: TrainArgs): NetworkConfig {
  const f = getFactory(a.dataset);
  const synthetic = a.dataset === 'synthetic';
  return {
    C: a['init-channels'],
    layers: a.layers,
    numClasses: synthetic ? a['synthetic-classes'] : f.numClasses,
    inputShape: synthetic ? [a['synthetic-size'], a['synthetic-size'], a['synthetic-channels']] : f.shape,
    auxiliary: a.auxiliary,
    dropPath: false,
    seed: a.seed,
  };
}

async function dryRun(a: TrainArgs, g: ResolvedGenotype, label: string): Promise<void> {
  const cfg = networkConfigFromArgs(a);
  const net = buildNetwork(g.genotype as RetrainOptions['genotype'], cfg);
  const counts = countParams(net.model);
  disposeNetwork(net);
  const summary = {
    genotype: label,
    C: cfg.C,
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

async function handler(a: TrainArgs): Promise<void> {
  checkArgs(a);
  const g = resolveGenotype(a.genotype);
  const label = genotypeLabel(g);
  await startBackend(a.backend);
  if (a['dry-run']) return dryRun(a, g, label);
  const dataset = await loadDatasetFromArgs(a);
  const runDir = a.out ?? path.join('results', 'train', dataset.name, `${label}-seed-${a.seed}`);
  const r = await retrain(dataset, {
    genotype: g.genotype as RetrainOptions['genotype'],
    genotypeName: label,
    C: a['init-channels'],
    layers: a.layers,
    auxiliary: a.auxiliary,
    batchSize: a['batch-size'],
    epochs: a.epochs,
    lr: a.lr,
    lrMin: a['lr-min'],
    momentum: a.momentum,
    weightDecay: a['weight-decay'],
    gradClip: a['grad-clip'],
    auxWeight: a['aux-weight'],
    cropPadding: a['crop-padding'],
    cutout: a.cutout,
    dropPath: a['drop-path'],
    seed: a.seed,
    recompute: a.recompute,
    runDir,
    resume: a.resume,
    report: a.report,
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
export const trainCommand: CommandModule<object, TrainArgs> = {
  command: 'train',
  describe: 'Retrain a genotype from scratch and save the model (e.g. tfnas train --genotype DARTS_V2 --epochs 600)',
  builder: addTrainOptions as never,
  handler,
};
