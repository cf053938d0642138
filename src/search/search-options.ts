/**
 * Every option of `tfnas search` as one declarative spec (see src/cli/options.ts): the options all
 * strategies share, DARTS's and the black-box searchers'. src/api/search-darts.ts and search-blackbox.ts read
 * their values from it; config.json records the options of the strategy that ran.
 */
import { RUN_OPTIONS } from '../cli/common';
import { checks, type OptionSpecs } from '../cli/options';
import { RECOMPUTE_SETTINGS } from '../nets/supernet-memory';
import { SPACE_NAMES } from '../space/spaces';
import { DARTS_DEFAULTS } from './darts/config';
import { METHOD_NAMES } from './darts/methods';
import { EVALUATOR_NAMES } from './evaluators/registry';
import { NB201_DATASETS } from './tables/nb201-table';
import { SEARCHER_NAMES } from './blackbox/registry';
import { DEFAULT_LATENCY_BETA, LATENCY_LOSSES } from '../latency/objective';

const D = DARTS_DEFAULTS;
const G = 'DARTS search:';
const B = 'Black-box search:';
const count = checks.int(1);

/** The options every strategy takes. */
export const SEARCH_COMMON_OPTIONS = {
  strategy: { type: 'string', default: 'darts', choices: ['darts', ...SEARCHER_NAMES], describe: 'search method' },
  space: {
    type: 'string', choices: SPACE_NAMES,
    describe: 'search space: the DARTS cell or the NAS-Bench-201 cell', defaultDescription: 'darts for DARTS, nb201 for the black-box searchers',
  },
  seed: { type: 'number', default: 0, check: checks.int(0), describe: 'random seed (weights, α, data split and order; the searcher\'s choices)' },
  table: {
    type: 'string', shapes: false,
    describe: 'NAS-Bench-201 table (CSV or .csv.gz): the nb201 evaluator\'s data; DARTS and other evaluators on --space nb201 look their cells up in it. --space nb101: the official TFRecord file (default data/nb101/nasbench_only108.tfrecord)',
    defaultDescription: 'black-box: the table shipped in the package; DARTS: no look-up',
  },
  'nb201-dataset': {
    type: 'string', choices: NB201_DATASETS,
    describe: 'NAS-Bench-201 dataset whose accuracies are the signal and the report', defaultDescription: '--dataset if the benchmark has it, else cifar10',
  },
  out: { type: 'string', shapes: false, describe: 'run folder', defaultDescription: 'results/search/<space>/<dataset>/[<strategy>-]seed-<seed>/' },
  resume: { type: 'boolean', default: false, record: false, describe: 'continue the run in --out from its last checkpoint (same options)' },
  'dry-run': { type: 'boolean', default: false, record: false, describe: 'DARTS: build the supernet and print its size, without training' },
  'latency-table': {
    type: 'string',
    describe: 'hardware-aware search: a latency table of `tfnas bench latency` for --space. DARTS: its expected latency under softmax(α) enters the architecture loss; black-box: --max-latency and pareto.csv',
  },
  report: { type: 'boolean', default: true, shapes: false, describe: 'rewrite report.html in the run folder as the run goes (--no-report: off)' },
  ...RUN_OPTIONS,
} as const satisfies OptionSpecs;

const M = 'DARTS methods (a preset sets some; each also works alone; FROM:TO is linear over the epochs, a number is constant):';

/** The collapse-resistant methods' options (src/search/darts/methods.ts names the presets). */
export const METHOD_OPTIONS = {
  method: { type: 'string', default: 'darts', choices: METHOD_NAMES, group: M, describe: 'named preset: darts, pc-darts, beta-darts, darts-minus, gdas (options given explicitly override it)' },
  'partial-channels': { type: 'number', group: M, describe: 'PC-DARTS: the ops see C/K channels, the rest bypass them', defaultDescription: 'off; pc-darts 4' },
  'edge-norm': { type: 'boolean', group: M, describe: 'PC-DARTS edge normalisation (a β per edge, softmax over a node\'s inputs)', defaultDescription: 'off; pc-darts on' },
  'warmup-epochs': { type: 'number', group: M, describe: 'first epochs with α (and β) fixed: weight steps only', defaultDescription: '0; pc-darts 15' },
  'aux-skip': { type: 'string', group: M, describe: 'DARTS-: β_skip of the auxiliary skip on every edge', defaultDescription: 'off; darts-minus 1:0' },
  'gumbel-tau': { type: 'string', group: M, describe: 'GDAS: hard Gumbel-softmax sampling (one op per edge) with this temperature', defaultDescription: 'off; gdas 10:0.1' },
  'beta-decay': { type: 'string', group: M, describe: 'β-DARTS: λ of the Beta-decay term λ·mean logsumexp(α_edge)', defaultDescription: 'off; beta-darts 0:50' },
  'entropy-weight': { type: 'string', group: M, describe: 'w of w·mean edge entropy of softmax(α) in the architecture loss (w<0 explores, w>0 decides; write --entropy-weight=-0.1:0.1)', defaultDescription: 'off' },
  'max-skip': { type: 'number', group: M, describe: 'collapse guard: at most K skip connections in the derived normal cell (DARTS+ is 1)', defaultDescription: 'off' },
  'max-skip-action': {
    type: 'string', default: 'stop', choices: ['stop', 'keep'], group: M,
    describe: 'past --max-skip: stop the search (DARTS+) or search on; either way the result is the last cell within it',
  },
} as const satisfies OptionSpecs;

/** DARTS's own options; the numbers are checked by validateDartsConfig (library callers too). */
/**
 * `--workers` of `search` and `train` (one entry, two commands). Results differ with N only by the
 * float order of the gradient sum and BatchNorm's per-shard statistics, so --resume may change it
 * (shapes: false).
 */
export const WORKERS_OPTION = {
  type: 'number', shapes: false, check: checks.int(1), defaultDescription: 'the machine\'s cores (1 on GPU backends; env TFNAS_WORKERS)',
  describe: 'data-parallel worker threads on wasm/cpu: each batch is split among N replicas whose gradients are summed (BatchNorm uses each shard\'s statistics)',
} as const;

export const DARTS_OPTIONS = {
  epochs: { type: 'number', default: D.epochs, group: G, describe: 'search epochs (the cosine schedule spans them; fixed for a run)' },
  'batch-size': { type: 'number', group: G, describe: 'batch size (both parts)', defaultDescription: `${D.batchSize}; pc-darts 256` },
  layers: { type: 'number', group: G, describe: 'darts: cells in the supernet; nb201: cells per stage', defaultDescription: 'darts 8, nb201 5' },
  'init-channels': { type: 'number', default: D.initChannels, group: G, describe: 'initial channels C' },
  order: { type: 'number', default: D.order, choices: [1, 2], group: G, describe: '1: first-order DARTS; 2: the unrolled (second-order) hypergradient' },
  'train-portion': { type: 'number', default: D.trainPortion, group: G, describe: 'share of the training set for the weights; the rest trains α' },
  'learning-rate': { type: 'number', alias: 'lr', group: G, describe: 'weight SGD learning rate (cosine-annealed)', defaultDescription: `${D.lr}; pc-darts 0.1` },
  'learning-rate-min': { type: 'number', alias: 'lr-min', group: G, describe: 'final weight learning rate', defaultDescription: `${D.lrMin}; pc-darts 0` },
  momentum: { type: 'number', default: D.momentum, group: G, describe: 'weight SGD momentum' },
  'weight-decay': { type: 'number', default: D.weightDecay, group: G, describe: 'weight decay of the weights' },
  'grad-clip': { type: 'number', default: D.gradClip, group: G, describe: 'gradient-norm clip of the weights' },
  'arch-learning-rate': { type: 'number', alias: 'arch-lr', group: G, describe: 'α Adam learning rate', defaultDescription: `${D.archLr}; pc-darts 6e-4` },
  'arch-weight-decay': { type: 'number', default: D.archWeightDecay, group: G, describe: 'α weight decay' },
  'arch-beta1': { type: 'number', default: D.archBeta1, group: G, describe: 'α Adam β1' },
  'arch-beta2': { type: 'number', default: D.archBeta2, group: G, describe: 'α Adam β2' },
  augment: { type: 'boolean', default: D.augment, group: G, describe: 'random crop (pad 4) and flip, as the reference (--no-augment to disable)' },
  'valid-limit': { type: 'number', group: G, describe: 'evaluate on at most N architecture-part images per epoch', defaultDescription: 'all' },
  recompute: {
    type: 'string', default: D.recompute, choices: RECOMPUTE_SETTINGS, group: G, shapes: false,
    describe: 'recompute activations in the backward: cells (least memory), edges, none (fastest), auto (none where it fits); same results',
  },
  // Results differ with N only by the float order of the gradient sum and BatchNorm's per-shard
  // statistics, so --resume may change it (shapes: false).
  workers: { ...WORKERS_OPTION, group: G },
  ...METHOD_OPTIONS,
  'gpu-memory': {
    type: 'number', group: G, shapes: false, check: checks.positive, defaultDescription: 'unknown: auto checkpoints on a GPU',
    describe: 'GiB of device memory, for --recompute auto on webgpu or tensorflow-gpu (neither reports it; WebGPU gives only per-buffer limits)',
  },
  'latency-weight': { type: 'number', default: 0.1, group: G, check: checks.atLeast(0), describe: 'λ of the additive latency term λ·(E[LAT] − T)/T' },
  'latency-target': { type: 'number', group: G, check: checks.positive, describe: 'T, the latency target in ms', defaultDescription: 'the expected latency of uniform α (the supernet at the start)' },
  'latency-loss': { type: 'string', default: 'additive', choices: LATENCY_LOSSES, group: G, describe: 'additive: CE + λ·(E[LAT] − T)/T; multiplicative: CE·(log E[LAT] / log T)^β (ProxylessNAS)' },
  'latency-beta': { type: 'number', default: DEFAULT_LATENCY_BETA, group: G, check: checks.positive, describe: 'β of the multiplicative latency term (FBNet: 0.6)' },
} as const satisfies OptionSpecs;

/** The black-box searchers' own options (each searcher reads some; see SEARCHER_CLI_OPTIONS). */
export const BLACKBOX_OPTIONS = {
  evaluator: {
    type: 'string', choices: EVALUATOR_NAMES, group: B,
    describe: 'how a candidate is scored: nb201 = table look-up, train = brief training (--space darts), supernet = shared weights of a tfnas search run',
    defaultDescription: 'the first that supports --space',
  },
  // More queries continue a search exactly as a longer one would, so --budget may grow on --resume.
  budget: { type: 'number', default: 150, check: count, shapes: false, group: B, describe: 'number of evaluator queries (unlimited with --budget-seconds alone)' },
  'budget-seconds': {
    type: 'number', check: checks.positive, shapes: false, group: B,
    describe: 'nb101 evaluator: stop once the simulated training time of the queried runs exceeds this many seconds',
  },
  'nb101-signal': {
    type: 'string', choices: ['random-run', 'mean'], group: B,
    describe: 'nb101 evaluator: validation accuracy of one of the 3 runs drawn at random (the official query) or their mean', defaultDescription: 'random-run',
  },
  // The URL may hold a password: never recorded in config.json.
  queue: {
    type: 'string', shapes: false, record: false, group: B,
    describe: 'evaluate candidates on `tfnas worker`s through this Redis queue (redis://[user:password@]host:port or rediss://; password also from TFNAS_REDIS_PASSWORD)',
  },
  'in-flight': { type: 'number', check: count, shapes: false, group: B, describe: 'with --queue: candidates evaluated at once', defaultDescription: 'the live workers\' total --concurrency' },
  population: { type: 'number', check: count, group: B, describe: 'evolution (default 10) / genetic (default 20): population size' },
  tournament: { type: 'number', check: count, group: B, describe: 'evolution / genetic (default 3): tournament sample size' },
  init: { type: 'number', check: count, group: B, describe: 'predictor/nao: random architectures before the first model (default 10)' },
  batch: { type: 'number', check: count, group: B, describe: 'predictor/nao: architectures evaluated per model update (default 10)' },
  'model-steps': { type: 'number', check: count, group: B, describe: 'predictor/nao: Adam steps per model fit (default 100 / 150)' },
  initial: {
    type: 'strings', group: B,
    describe: 'architectures (genotype keys of --space) evaluated first, in order, before the strategy\'s own proposals: known-good starting points',
  },
  'train-epochs': { type: 'number', check: count, group: B, describe: 'train evaluator: epochs per candidate (default 10)' },
  'train-channels': { type: 'number', check: count, group: B, describe: 'train evaluator: initial channels C of the candidate network (default 16)' },
  'train-layers': { type: 'number', check: count, group: B, describe: 'train evaluator: cells of the candidate network (default 8)' },
  'train-batch-size': { type: 'number', check: count, group: B, describe: 'train evaluator: batch size (default 64)' },
  'max-latency': { type: 'number', check: checks.positive, group: B, describe: 'with --latency-table: only cells whose predicted latency is at most this many ms are evaluated' },
  'latency-device': { type: 'string', group: B, describe: 'with an HW-NAS-Bench --latency-table (.csv): the device whose latencies count (edgegpu, raspi4, edgetpu, pixel3, eyeriss, fpga)' },
  'macro-max-macs': {
    type: 'number', check: checks.positive, group: B,
    describe: '--space macro: only chains of at most this many million multiply-accumulates per 32×32 RGB image are sampled and bred (a compute budget)',
    defaultDescription: 'no limit',
  },
  supernet: { type: 'string', group: B, describe: 'supernet evaluator: run folder of a `tfnas search` (DARTS) run whose weights score candidates' },
  'supernet-valid-limit': { type: 'number', check: count, group: B, describe: 'supernet evaluator: held-out images scored per candidate (default 1000)' },
} as const satisfies OptionSpecs;

/** All of `tfnas search`'s options (what its yargs module adds and reads). */
export const SEARCH_OPTIONS = { ...SEARCH_COMMON_OPTIONS, ...DARTS_OPTIONS, ...BLACKBOX_OPTIONS } as const satisfies OptionSpecs;

/** What a DARTS run records in config.json and compares on --resume. */
export const DARTS_RUN_OPTIONS = { ...SEARCH_COMMON_OPTIONS, ...DARTS_OPTIONS } as const satisfies OptionSpecs;

/**
 * What a black-box run records: its own options and `train-portion`, which the train evaluator reads
 * (the data options are recorded too; only the train and supernet evaluators load data).
 */
export const BLACKBOX_RUN_OPTIONS = { ...SEARCH_COMMON_OPTIONS, ...BLACKBOX_OPTIONS, 'train-portion': DARTS_OPTIONS['train-portion'] } as const satisfies OptionSpecs;
