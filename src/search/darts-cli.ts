import * as path from 'path';
import type { Argv } from 'yargs';
import { backendOption, printJsonSummary, startBackend } from '../cli/common';
import { addDataOptions, getFactory, loadDatasetFromArgs } from '../data';
import { badArgument } from '../io/errors';
import { RECOMPUTE_SETTINGS, RecomputeSetting } from '../nets/supernet-memory';
import { SPACE_NAMES } from '../nets/supernet-registry';
import type { SpaceName } from '../nets/supernet';
import { BLACKBOX_STRATEGIES } from './blackbox-cli';
import { DARTS_DEFAULTS, DEFAULT_LAYERS, DartsConfig, validateDartsConfig } from './darts-config';
import { buildSupernet, runDartsSearchLoop } from './darts-search';
import { checkNb201Dataset, nb201DatasetFrom } from './nb201-table';

/**
 * `tfnas search` options shared by every strategy (--strategy, --space, --seed, --out, --json,
 * --resume, --backend, --dry-run) plus DARTS's own, and the DARTS runner.
 */
const G = 'DARTS search:';

export function addDartsSearchOptions<T>(y: Argv<T>): Argv<T> {
  const withData = addDataOptions(backendOption(y));
  return withData
    .option('strategy', { type: 'string', default: 'darts', choices: ['darts', ...BLACKBOX_STRATEGIES], describe: 'search method' })
    .option('space', { type: 'string', choices: SPACE_NAMES, describe: 'search space: the DARTS cell or the NAS-Bench-201 cell (default: darts for DARTS, nb201 for the black-box searchers)' })
    .option('seed', { type: 'number', default: 0, describe: 'random seed (weights, α, data split and order)' })
    .option('out', { type: 'string', describe: 'run folder (default results/search/<space>/<dataset>/seed-<seed>/)' })
    .option('json', { type: 'boolean', default: false, describe: 'print a JSON summary as the last line on stdout' })
    .option('resume', { type: 'boolean', default: false, describe: 'continue the run in --out from its last checkpoint' })
    .option('dry-run', { type: 'boolean', default: false, describe: 'build the supernet and print its size, without training' })
    .option('epochs', { type: 'number', default: DARTS_DEFAULTS.epochs, describe: 'search epochs', group: G })
    .option('batch-size', { type: 'number', default: DARTS_DEFAULTS.batchSize, describe: 'batch size (both parts)', group: G })
    .option('layers', { type: 'number', describe: 'darts: cells in the supernet (default 8); nb201: cells per stage (default 5)', group: G })
    .option('init-channels', { type: 'number', default: DARTS_DEFAULTS.initChannels, describe: 'initial channels C', group: G })
    .option('order', { type: 'number', default: DARTS_DEFAULTS.order, choices: [1, 2], describe: '1: first-order DARTS; 2: the unrolled (second-order) hypergradient', group: G })
    .option('train-portion', { type: 'number', default: DARTS_DEFAULTS.trainPortion, describe: 'share of the training set for the weights; the rest trains α', group: G })
    .option('learning-rate', { type: 'number', default: DARTS_DEFAULTS.lr, describe: 'weight SGD lr (cosine-annealed)', group: G })
    .option('learning-rate-min', { type: 'number', default: DARTS_DEFAULTS.lrMin, describe: 'final weight lr', group: G })
    .option('momentum', { type: 'number', default: DARTS_DEFAULTS.momentum, describe: 'weight SGD momentum', group: G })
    .option('weight-decay', { type: 'number', default: DARTS_DEFAULTS.weightDecay, describe: 'weight decay of the weights', group: G })
    .option('grad-clip', { type: 'number', default: DARTS_DEFAULTS.gradClip, describe: 'gradient-norm clip of the weights', group: G })
    .option('arch-learning-rate', { type: 'number', default: DARTS_DEFAULTS.archLr, describe: 'α Adam lr', group: G })
    .option('arch-weight-decay', { type: 'number', default: DARTS_DEFAULTS.archWeightDecay, describe: 'α weight decay', group: G })
    .option('arch-beta1', { type: 'number', default: DARTS_DEFAULTS.archBeta1, describe: 'α Adam β1', group: G })
    .option('arch-beta2', { type: 'number', default: DARTS_DEFAULTS.archBeta2, describe: 'α Adam β2', group: G })
    .option('augment', { type: 'boolean', default: DARTS_DEFAULTS.augment, describe: 'random crop (pad 4) and flip, as the reference (--no-augment to disable)', group: G })
    .option('valid-limit', { type: 'number', describe: 'evaluate on at most N architecture-part images per epoch (default all)', group: G })
    .option('recompute', {
      type: 'string',
      default: DARTS_DEFAULTS.recompute,
      choices: RECOMPUTE_SETTINGS,
      describe: 'recompute activations in the backward pass: cells (least memory), edges, none (fastest), auto (none where it fits in memory, else cells); same results',
      group: G,
    }) as unknown as Argv<T>;
}

/** The configuration from parsed arguments (validated). */
export function dartsConfigFromArgs(argv: Record<string, unknown>): DartsConfig {
  const space = String(argv.space ?? 'darts');
  if (!(SPACE_NAMES as string[]).includes(space)) badArgument('space', SPACE_NAMES.join('|'), space);
  const num = (k: string, d: number): number => (argv[k] === undefined ? d : Number(argv[k]));
  const cfg: DartsConfig = {
    space: space as SpaceName,
    dataset: String(argv.dataset ?? 'cifar10'),
    seed: num('seed', 0),
    epochs: num('epochs', DARTS_DEFAULTS.epochs),
    batchSize: num('batch-size', DARTS_DEFAULTS.batchSize),
    layers: num('layers', DEFAULT_LAYERS[space as SpaceName]),
    initChannels: num('init-channels', DARTS_DEFAULTS.initChannels),
    order: num('order', DARTS_DEFAULTS.order) as 1 | 2,
    trainPortion: num('train-portion', DARTS_DEFAULTS.trainPortion),
    lr: num('learning-rate', DARTS_DEFAULTS.lr),
    lrMin: num('learning-rate-min', DARTS_DEFAULTS.lrMin),
    momentum: num('momentum', DARTS_DEFAULTS.momentum),
    weightDecay: num('weight-decay', DARTS_DEFAULTS.weightDecay),
    gradClip: num('grad-clip', DARTS_DEFAULTS.gradClip),
    archLr: num('arch-learning-rate', DARTS_DEFAULTS.archLr),
    archWeightDecay: num('arch-weight-decay', DARTS_DEFAULTS.archWeightDecay),
    archBeta1: num('arch-beta1', DARTS_DEFAULTS.archBeta1),
    archBeta2: num('arch-beta2', DARTS_DEFAULTS.archBeta2),
    augment: argv.augment === undefined ? DARTS_DEFAULTS.augment : Boolean(argv.augment),
    validLimit: argv['valid-limit'] === undefined ? null : Number(argv['valid-limit']),
    recompute: String(argv.recompute ?? DARTS_DEFAULTS.recompute) as RecomputeSetting,
    table: argv.table === undefined ? null : String(argv.table),
    benchDataset: checkNb201Dataset(String(argv['nb201-dataset'] ?? nb201DatasetFrom(argv.dataset))),
  };
  validateDartsConfig(cfg);
  return cfg;
}

/** Builds the supernet only: its trainable parameter count and α size (no data needed). */
function dryRun(cfg: DartsConfig, argv: Record<string, unknown>): Record<string, unknown> {
  const factory = getFactory(cfg.dataset);
  const synthetic = cfg.dataset === 'synthetic';
  const numClasses = synthetic ? Number(argv['synthetic-classes'] ?? factory.numClasses) : factory.numClasses;
  const channels = synthetic ? Number(argv['synthetic-channels'] ?? factory.shape[2]) : factory.shape[2];
  const net = buildSupernet(cfg, numClasses, channels);
  try {
    const alphas = Object.values(net.alphas).reduce((s, v) => s + v.size, 0);
    const shapes = Object.fromEntries(Object.entries(net.alphas).map(([k, v]) => [k, v.shape]));
    return { space: cfg.space, layers: cfg.layers, initChannels: cfg.initChannels, numClasses, params: net.paramCount(), paramsMB: net.paramCount() / 1e6, alphas, alphaShapes: shapes };
  } finally {
    net.dispose();
  }
}

export async function runDartsSearch(argv: Record<string, unknown>): Promise<void> {
  const cfg = dartsConfigFromArgs(argv);
  const backend = await startBackend(String(argv.backend ?? 'auto'));
  if (argv['dry-run']) {
    const info = dryRun(cfg, argv);
    if (argv.json) printJsonSummary(info);
    else console.log(`${cfg.space} supernet: ${info.params} trainable parameters (${(info.params as number) / 1e6} M), ${info.alphas} architecture parameters`);
    return;
  }
  const out = argv.out ? String(argv.out) : path.join('results', 'search', cfg.space, cfg.dataset, `seed-${cfg.seed}`);
  const data = await loadDatasetFromArgs(argv as never);
  const summary = await runDartsSearchLoop(cfg, data, { out, resume: Boolean(argv.resume), backend });
  if (argv.json) printJsonSummary(summary);
  else {
    console.log(`genotype: ${summary.text}`);
    if (summary.benchmark) {
      const b = summary.benchmark;
      const pct = (v: number) => `${(100 * v).toFixed(2)}%`;
      console.log(`NAS-Bench-201 (200-epoch test accuracy): cifar10 ${pct(b.cifar10.test_200ep)}, cifar100 ${pct(b.cifar100.test_200ep)}, imagenet16 ${pct(b.imagenet16.test_200ep)}`);
    }
    console.log(`run folder: ${summary.out}`);
  }
}
