import { badArgument } from '../../io/errors';
import type { SupernetSpace } from '../../nets/supernet';
import { RECOMPUTE_SETTINGS, RecomputeSetting } from '../../nets/supernet-memory';
import { LatencyObjectiveConfig, validateLatencyConfig } from '../../latency/objective';

/**
 * Every setting of a DARTS search. Defaults are the paper's CIFAR-10 search (Liu et al., ICLR
 * 2019, §3.1 and appendix A.1; quark0/darts train_search.py and architect.py).
 */
export interface DartsConfig {
  space: SupernetSpace;
  dataset: string;
  seed: number;
  epochs: number;
  batchSize: number;
  /** DARTS: total cells; NAS-Bench-201: cells per stage. */
  layers: number;
  initChannels: number;
  order: 1 | 2;
  trainPortion: number;
  lr: number;
  lrMin: number;
  momentum: number;
  weightDecay: number;
  gradClip: number;
  archLr: number;
  archWeightDecay: number;
  archBeta1: number;
  archBeta2: number;
  /** RandomCrop(padding 4) + horizontal flip on both search halves, as train_search.py's transform. */
  augment: boolean;
  /** Evaluate on at most this many architecture-part images per epoch (null: all, as the reference). */
  validLimit: number | null;
  /**
   * Gradient checkpointing: `cells` (least memory), `edges`, `none` (fastest, most memory), or
   * `auto`: `none` where the estimated memory fits the backend, else `cells` (nets/supernet-memory.ts).
   * Same results in every mode.
   */
  recompute: RecomputeSetting;
  /**
   * NAS-Bench-201 table (`--table`, --space nb201 only): each epoch's derived cell is looked up and
   * its benchmark accuracies logged, as the NAS-Bench-201 paper reports DARTS (null: no look-up).
   */
  table: string | null;
  /** Which of the benchmark's datasets the logged accuracies are for. */
  benchDataset: 'cifar10' | 'cifar100' | 'imagenet16';
  /** The named preset the settings below came from (methods.ts); recorded, never read back. */
  method: string;
  /** PC-DARTS partial channel connections K (null: off). */
  partialChannels: number | null;
  /** PC-DARTS edge normalisation (a β per edge). */
  edgeNorm: boolean;
  /** DARTS-'s β_skip schedule [from, to] (null: no auxiliary skip). */
  auxSkip: Schedule | null;
  /** GDAS: Gumbel temperature schedule [from, to] (null: no sampling). */
  gumbelTau: Schedule | null;
  /** β-DARTS: Beta-decay weight λ schedule [from, to] (null: off). */
  betaDecay: Schedule | null;
  /** Weight w of the mean α entropy in the architecture loss, [from, to] (null: off). */
  entropyWeight: Schedule | null;
  /** Epochs at the start with α (and β) held fixed: weight steps only (PC-DARTS: 15). */
  warmupEpochs: number;
  /** Collapse guard: most skip connections allowed in the derived normal cell (null: off). */
  maxSkip: number | null;
  /** `stop`: end the search when the cell exceeds maxSkip (DARTS+); `keep`: search on. Both return the last cell within it. */
  maxSkipAction: 'stop' | 'keep';
  /** Hardware-aware search (`--latency-table`): the latency term of the architecture loss (null: none). */
  latency: LatencyObjectiveConfig | null;
}

/** A linear schedule over the search: [value at the first epoch, value at the last]. */
export type Schedule = [number, number];

/** The schedule's value at 0-based `epoch` of `epochs`: linear from s[0] (first epoch) to s[1] (last). */
export function scheduleAt(s: Schedule, epoch: number, epochs: number): number {
  return epochs > 1 ? s[0] + ((s[1] - s[0]) * epoch) / (epochs - 1) : s[0];
}

export const DARTS_DEFAULTS: Omit<DartsConfig, 'space' | 'dataset' | 'seed' | 'layers'> = {
  epochs: 50,
  batchSize: 64,
  initChannels: 16,
  order: 1,
  trainPortion: 0.5,
  lr: 0.025,
  lrMin: 0.001,
  momentum: 0.9,
  weightDecay: 3e-4,
  gradClip: 5,
  archLr: 3e-4,
  archWeightDecay: 1e-3,
  archBeta1: 0.5,
  archBeta2: 0.999,
  augment: true,
  validLimit: null,
  recompute: 'auto',
  table: null,
  benchDataset: 'cifar10',
  method: 'darts',
  partialChannels: null,
  edgeNorm: false,
  auxSkip: null,
  gumbelTau: null,
  betaDecay: null,
  entropyWeight: null,
  warmupEpochs: 0,
  maxSkip: null,
  maxSkipAction: 'stop',
  latency: null,
};

/** Default depth: 8 cells for DARTS (paper), 5 cells per stage for NAS-Bench-201 (benchmark skeleton). */
export const DEFAULT_LAYERS: Record<SupernetSpace, number> = { darts: 8, nb201: 5 };

function positiveInt(name: string, v: number): void {
  if (!Number.isInteger(v) || v < 1) badArgument(name, 'a positive integer', v);
}

function positive(name: string, v: number): void {
  if (!(typeof v === 'number' && Number.isFinite(v) && v > 0)) badArgument(name, 'a positive number', v);
}

function nonNegative(name: string, v: number): void {
  if (!(typeof v === 'number' && Number.isFinite(v) && v >= 0)) badArgument(name, 'a number >= 0', v);
}

/** Checks a configuration; throws a UsageError naming the first bad option. */
export function validateDartsConfig(c: DartsConfig): void {
  positiveInt('epochs', c.epochs);
  positiveInt('batch-size', c.batchSize);
  positiveInt('layers', c.layers);
  positiveInt('init-channels', c.initChannels);
  if (c.table !== null && c.space !== 'nb201') badArgument('table', 'only with --space nb201 for a DARTS search (the table scores NAS-Bench-201 cells)', c.table);
  if (c.space === 'darts' && c.layers < 3) badArgument('layers', 'at least 3 for the DARTS space (two cells are reduction cells)', c.layers);
  if (c.order !== 1 && c.order !== 2) badArgument('order', '1 or 2', c.order);
  if (!Number.isInteger(c.seed) || c.seed < 0) badArgument('seed', 'a non-negative integer', c.seed);
  if (!(c.trainPortion > 0 && c.trainPortion < 1)) badArgument('train-portion', 'a number strictly between 0 and 1', c.trainPortion);
  positive('learning-rate', c.lr);
  nonNegative('learning-rate-min', c.lrMin);
  if (c.lrMin > c.lr) badArgument('learning-rate-min', `at most --learning-rate (${c.lr})`, c.lrMin);
  if (!(c.momentum >= 0 && c.momentum < 1)) badArgument('momentum', 'a number in [0, 1)', c.momentum);
  nonNegative('weight-decay', c.weightDecay);
  positive('grad-clip', c.gradClip);
  positive('arch-learning-rate', c.archLr);
  nonNegative('arch-weight-decay', c.archWeightDecay);
  for (const [n, b] of [['arch-beta1', c.archBeta1], ['arch-beta2', c.archBeta2]] as const) {
    if (!(b >= 0 && b < 1)) badArgument(n, 'a number in [0, 1)', b);
  }
  if (c.validLimit !== null) positiveInt('valid-limit', c.validLimit);
  if (!RECOMPUTE_SETTINGS.includes(c.recompute)) badArgument('recompute', RECOMPUTE_SETTINGS.join('|'), c.recompute);
  if (c.latency) validateLatencyConfig(c.latency);
  validateMethodSettings(c);
}

function validSchedule(s: unknown): boolean {
  return Array.isArray(s) && s.length === 2 && s.every((v) => typeof v === 'number' && Number.isFinite(v));
}

/** The collapse-resistant methods' settings (methods.ts). */
function validateMethodSettings(c: DartsConfig): void {
  if (c.partialChannels !== null) {
    positiveInt('partial-channels', c.partialChannels);
    if (c.initChannels % c.partialChannels !== 0) badArgument('partial-channels', `a divisor of --init-channels (${c.initChannels})`, c.partialChannels);
    if (c.space === 'darts' && (c.initChannels / c.partialChannels) % 2 !== 0) {
      badArgument('partial-channels', `K with an even C/K (the stride-2 skip is a factorized reduce), C = ${c.initChannels}`, c.partialChannels);
    }
  }
  const schedules = [['aux-skip', c.auxSkip], ['gumbel-tau', c.gumbelTau], ['beta-decay', c.betaDecay], ['entropy-weight', c.entropyWeight]] as const;
  for (const [name, s] of schedules) if (s !== null && !validSchedule(s)) badArgument(name, 'a number or FROM:TO', s);
  if (c.gumbelTau && !(c.gumbelTau[0] > 0 && c.gumbelTau[1] > 0)) badArgument('gumbel-tau', 'positive temperatures', c.gumbelTau.join(':'));
  if (c.gumbelTau && c.order === 2) badArgument('order', '1 with Gumbel sampling (GDAS defines no second-order step: each forward draws new ops)', c.order);
  if (!Number.isInteger(c.warmupEpochs) || c.warmupEpochs < 0 || c.warmupEpochs >= c.epochs) {
    badArgument('warmup-epochs', `an integer in [0, --epochs) (${c.epochs}), so that α trains at all`, c.warmupEpochs);
  }
  if (c.maxSkip !== null && !(Number.isInteger(c.maxSkip) && c.maxSkip >= 0)) badArgument('max-skip', 'a non-negative integer', c.maxSkip);
  if (c.maxSkipAction !== 'stop' && c.maxSkipAction !== 'keep') badArgument('max-skip-action', 'stop or keep', c.maxSkipAction);
}

/**
 * Settings that must not change when a run is resumed: everything that shapes the result. The epoch
 * count is one of them: the cosine schedule depends on it, so a resumed run with another count
 * would splice two schedules (train already refuses it). Only `recompute` (same results in every
 * mode) may change.
 */
export const RESUME_KEYS: (keyof DartsConfig)[] = [
  'space', 'dataset', 'seed', 'epochs', 'batchSize', 'layers', 'initChannels', 'order', 'trainPortion', 'lr', 'lrMin',
  'momentum', 'weightDecay', 'gradClip', 'archLr', 'archWeightDecay', 'archBeta1', 'archBeta2', 'augment', 'validLimit', 'benchDataset',
  'partialChannels', 'edgeNorm', 'auxSkip', 'gumbelTau', 'betaDecay', 'entropyWeight', 'warmupEpochs', 'maxSkip', 'maxSkipAction', 'latency',
];
