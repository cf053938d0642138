/**
 * `search` with `strategy: 'darts'`: the DARTS configuration from the checked options, the run
 * folder and config.json, resume, and the weight-sharing search loop. The CLI prints what it returns.
 */
import * as path from 'path';
import { getFactory } from '../data';
import type { Dataset } from '../data/types';
import { badArgument } from '../io/errors';
import { runRecord, savedOptions } from '../io/run-config';
import type { RecomputeSetting } from '../nets/supernet-memory';
import { SPACE_NAMES as SUPERNET_SPACES } from '../nets/supernet-registry';
import type { SupernetSpace } from '../nets/supernet';
import { SPACE_NAMES as SEARCH_SPACE_NAMES } from '../space/spaces';
import { DARTS_DEFAULTS as D, DEFAULT_LAYERS, DartsConfig, Schedule, validateDartsConfig } from '../search/darts/config';
import { METHODS, MethodName } from '../search/darts/methods';
import { buildSupernet } from '../search/darts/build';
import { runDartsSearchLoop, type DartsSummary } from '../search/darts/search';
import { checkNb201Dataset, nb201DatasetFrom } from '../search/tables/nb201-table';
import { DARTS_RUN_OPTIONS, SEARCH_OPTIONS } from '../search/search-options';
import type { LatencyLoss } from '../latency/objective';
import { checkWorkers, defaultWorkers } from '../train/parallel/workers';
import { replicaUnsupported } from '../search/darts/epoch-method';
import { checkResume, recordOptions, type Values } from '../cli/options';

/** `tfnas search --strategy darts`: the configuration from the checked options, and the runner. */
export type SearchValues = Values<typeof SEARCH_OPTIONS>;

/** The DARTS configuration from `tfnas search`'s checked option values (validated). */
export function dartsConfigFromOptions(o: SearchValues): DartsConfig {
  const space = o.space ?? 'darts';
  if (!(SUPERNET_SPACES as string[]).includes(space)) {
    const blackBoxOnly = SEARCH_SPACE_NAMES.filter((n) => !(SUPERNET_SPACES as string[]).includes(n));
    badArgument('space', `one of ${SUPERNET_SPACES.join(', ')} for a DARTS search (a weight-sharing supernet; the black-box strategies also search ${blackBoxOnly.join(', ')})`, space);
  }
  const method = o.method as MethodName;
  const p: Partial<DartsConfig> = METHODS[method].settings;
  const cfg: DartsConfig = {
    space: space as SupernetSpace,
    dataset: o.dataset,
    seed: o.seed,
    epochs: o.epochs,
    batchSize: o.batchSize ?? p.batchSize ?? D.batchSize,
    layers: o.layers ?? DEFAULT_LAYERS[space as SupernetSpace],
    initChannels: o.initChannels,
    order: o.order as 1 | 2,
    trainPortion: o.trainPortion,
    lr: o.learningRate ?? p.lr ?? D.lr,
    lrMin: o.learningRateMin ?? p.lrMin ?? D.lrMin,
    momentum: o.momentum,
    weightDecay: o.weightDecay,
    gradClip: o.gradClip,
    archLr: o.archLearningRate ?? p.archLr ?? D.archLr,
    archWeightDecay: o.archWeightDecay,
    archBeta1: o.archBeta1,
    archBeta2: o.archBeta2,
    augment: o.augment,
    validLimit: o.validLimit ?? null,
    recompute: o.recompute as RecomputeSetting,
    table: o.table ?? null,
    benchDataset: checkNb201Dataset(o.nb201Dataset ?? nb201DatasetFrom(o.dataset)),
    method,
    partialChannels: o.partialChannels ?? p.partialChannels ?? null,
    edgeNorm: o.edgeNorm ?? p.edgeNorm ?? false,
    warmupEpochs: o.warmupEpochs ?? p.warmupEpochs ?? 0,
    auxSkip: scheduleOption('aux-skip', o.auxSkip, p.auxSkip),
    gumbelTau: scheduleOption('gumbel-tau', o.gumbelTau, p.gumbelTau),
    betaDecay: scheduleOption('beta-decay', o.betaDecay, p.betaDecay),
    entropyWeight: scheduleOption('entropy-weight', o.entropyWeight, p.entropyWeight),
    maxSkip: o.maxSkip ?? null,
    maxSkipAction: o.maxSkipAction as 'stop' | 'keep',
    latency: o.latencyTable
      ? { table: o.latencyTable, weight: o.latencyWeight, target: o.latencyTarget ?? null, loss: o.latencyLoss as LatencyLoss, beta: o.latencyBeta }
      : null,
  };
  validateDartsConfig(cfg);
  return cfg;
}

/** A schedule option: `off`, a number (constant) or FROM:TO (linear over the epochs); absent: the preset's. */
export function scheduleOption(flag: string, given: string | undefined, preset: Schedule | null | undefined): Schedule | null {
  if (given === undefined) return preset ?? null;
  const text = String(given).trim();
  if (text === 'off') return null;
  const parts = text.split(':').map((v) => (v.trim() === '' ? NaN : Number(v)));
  if (parts.length > 2 || parts.some((v) => !Number.isFinite(v))) badArgument(flag, 'off, a number, or FROM:TO (e.g. 10:0.1)', given);
  return parts.length === 1 ? [parts[0], parts[0]] : [parts[0], parts[1]];
}

/** What `dryRun: true` returns: the supernet's size (nothing trained, no data read). */
export interface DartsDryRun {
  space: string;
  layers: number;
  init_channels: number;
  num_classes: number;
  params: number;
  params_mb: number;
  alphas: number;
  alpha_shapes: Record<string, number[]>;
}

/** Builds the supernet only: its trainable parameter count and α size (no data needed). */
function dryRun(cfg: DartsConfig, o: SearchValues): DartsDryRun {
  const factory = getFactory(cfg.dataset);
  const synthetic = cfg.dataset === 'synthetic';
  const numClasses = synthetic ? o.syntheticClasses : factory.numClasses;
  const channels = synthetic ? o.syntheticChannels : factory.shape[2];
  const net = buildSupernet(cfg, numClasses, channels);
  try {
    const alphas = Object.values(net.alphas).reduce((s, v) => s + v.size, 0);
    const shapes = Object.fromEntries(Object.entries(net.alphas).map(([k, v]) => [k, v.shape]));
    return { space: cfg.space, layers: cfg.layers, init_channels: cfg.initChannels, num_classes: numClasses, params: net.paramCount(), params_mb: net.paramCount() / 1e6, alphas, alpha_shapes: shapes as Record<string, number[]> };
  } finally {
    net.dispose();
  }
}

/** The folder a DARTS search writes to when `out` is not given. */
export function dartsOutDir(o: SearchValues, cfg: DartsConfig): string {
  return o.out ?? path.join('results', 'search', cfg.space, cfg.dataset, `${cfg.method === 'darts' ? '' : `${cfg.method}-`}seed-${cfg.seed}`);
}

/**
 * Checks a DARTS search's options and, unless resuming with other settings, returns how to run it:
 * everything that can refuse the options runs before the backend starts and before anything is written.
 */
export function prepareDarts(o: SearchValues): { cfg: DartsConfig; out: string; options: Record<string, unknown> } {
  const cfg = dartsConfigFromOptions(o);
  const out = dartsOutDir(o, cfg);
  // The values the method's preset filled in are recorded as resolved, so config.json says what ran.
  const resolved = { space: cfg.space, layers: cfg.layers, batchSize: cfg.batchSize, learningRate: cfg.lr, learningRateMin: cfg.lrMin, archLearningRate: cfg.archLr };
  const options = recordOptions({ ...o, ...resolved }, DARTS_RUN_OPTIONS);
  if (o.resume && !o.dryRun) checkResume(out, savedOptions(out), options, DARTS_RUN_OPTIONS);
  return { cfg, out, options };
}

/** Runs (or resumes) the DARTS search the options describe, on `data`, with the backend already started. */
export async function runDarts(o: SearchValues, data: Dataset, backend: string, log: (line: string) => void): Promise<DartsSummary> {
  const { cfg, out, options } = prepareDarts(o);
  return runDartsSearchLoop(cfg, data, {
    out, resume: o.resume, backend, record: runRecord('search', options, backend), report: o.report, gpuMemoryBytes: o.gpuMemory ? o.gpuMemory * 2 ** 30 : null, log,
    workers: searchWorkers(cfg, o.workers, backend),
  });
}

/** The supernet's size without training (`dryRun: true`). */
export function dartsDryRun(o: SearchValues): DartsDryRun {
  return dryRun(dartsConfigFromOptions(o), o);
}

/**
 * `--workers` for this search: the machine's cores by default, but 1 where the method's per-epoch
 * state is not followed by the replicas yet (an explicit N ≥ 2 is then refused).
 */
function searchWorkers(cfg: DartsConfig, given: number | undefined, backend: string): number {
  const workers = checkWorkers(given ?? defaultWorkers(), backend, given !== undefined);
  const unsupported = replicaUnsupported(cfg);
  if (workers < 2 || unsupported.length === 0) return workers;
  if (given === undefined) return 1;
  return badArgument('workers', `1 with ${unsupported.map((n) => `--${n}`).join(', ')} (the worker replicas do not follow that per-epoch state yet)`, workers);
}
