/**
 * tfnas: neural architecture search on TensorFlow.js. The library API: one call per CLI command
 * (`search`, `train`, `evaluate`, `exportGenotype`, `report`, `benchNb201`, `benchNb101`,
 * `benchOps`, `benchLatency`, `benchDartsNb201`, `downloadData`, `dataInfo`, `listBackends`) with the command's
 * options in camelCase, its defaults and checks, returning its `--json` summary as an object;
 * `ImageClassifier` for search-and-train in two lines; and the building blocks below. Errors the
 * caller can fix are `TfnasError` (a `code`, and the `option` at fault). The `tfnas` CLI calls the
 * same functions. The calls start the backend they are given (`backend`, default auto); building
 * blocks need `useBackend()` first and the `tf` exported here.
 */

// One call per command (src/api), and the classifier.
export { search } from './api/search';
export type { SearchOptions, SearchResult, BlackBoxStrategy } from './api/search';
export { train, TRAIN_OPTIONS } from './api/train';
export type { TrainOptions, TrainResult, TrainDryRun } from './api/train';
export { evaluate, EVAL_OPTIONS } from './api/evaluate';
export type { EvaluateOptions, EvaluateResult } from './api/evaluate';
export { exportGenotype, EXPORT_OPTIONS, EXPORT_FORMATS } from './api/export';
export type { ExportOptions, ExportResult, ExportFormat } from './api/export';
export { report, REPORT_OPTIONS } from './api/report';
export type { ReportOptions, ReportResult } from './api/report';
export { benchNb201, benchNb101, BENCH_NB201_OPTIONS, BENCH_NB101_OPTIONS } from './api/bench';
export type { BenchResult } from './api/bench';
export { benchOps, BENCH_OPS_OPTIONS } from './api/bench-ops';
export type { BenchOpsResult } from './api/bench-ops';
/** `tfnas bench latency`: a latency table (in Node, or in headless Chromium with `browser`) and the predictor's check. */
export { benchLatency, BENCH_LATENCY_OPTIONS } from './api/bench-latency';
export type { BenchLatencyOptions, BenchLatencyResult, LatencyTableResult, CellLatencyResult, BrowserRecord } from './api/bench-latency';
/** `tfnas bench darts-nb201`: DARTS methods × seeds on the NAS-Bench-201 space, scored by its table. */
export { benchDartsNb201, BENCH_DARTS_NB201_OPTIONS } from './api/bench-darts-nb201';
export type { BenchDartsNb201Options, BenchDartsNb201Result } from './api/bench-darts-nb201';
export { downloadData, dataInfo, DOWNLOAD_OPTIONS, INFO_OPTIONS } from './api/datasets';
export { listBackends } from './api/backends';
export { ImageClassifier } from './api/image-classifier';
export type { ImageClassifierOptions, FitOptions, Trial, ClassifierSummary } from './api/image-classifier';
export { datasetFromArrays } from './api/data';
export type { ArrayData, Images, Labels } from './api/data';
export type { RunControls, DataControls, ApiOptions } from './api/options';
export type { ProgressEvent } from './io/run-hooks';
export { TfnasError, UsageError } from './io/errors';
export type { TfnasErrorCode } from './io/errors';
export { SEARCH_OPTIONS } from './search/search-options';
export { useBackend, activeBackend, tf } from './backend';
export { BACKENDS, BACKEND_NAMES } from './backend/registry';
export { Rng } from './space/rng';

// Search spaces and genotypes (pure, no tensors).
export { DARTS_PRIMITIVES, NB201_PRIMITIVES } from './space/primitives';
export type { DartsGenotype, Nb201Genotype, Nb101Genotype, GenotypeEdge } from './space/genotype-types';
export {
  resolveGenotype,
  parseDartsString,
  formatDartsGenotype,
  parseNb201String,
  formatNb201Genotype,
  genotypeToJson,
  genotypeFromJson,
  validateDartsGenotype,
  validateNb201Genotype,
  validateNb101Genotype,
} from './space/genotype';
export { SPACES, SPACE_NAMES, getSpace, macroSpaceWithin } from './space/spaces';
export type { MacroGenotype, MacroStage, MacroBlock } from './space/macro-space';
export { MACRO_PLAIN_CNN, macroToKey, macroFromKey, macroMacs } from './space/macro-space';
export { macroDiagram } from './viz/macro-text';
export { NB101_OPS, nb101Check, nb101Hash, nb101Prune } from './space/nb101-spec';
export { nb101PathEncoding } from './space/nb101-space';
export { builtinGenotype, BUILTIN_GENOTYPE_NAMES } from './space/builtin-genotypes';
export { softmax, deriveDartsGenotype, deriveNb201Genotype } from './space/derive';
export { genotypeToDot } from './viz/dot';
export { genotypeToSvg } from './viz/svg';

// Ops and networks.
export { dilatedConv2d, dilatedDepthwiseConv2d } from './ops/dilated';
export { DARTS_OPS } from './ops/darts-ops';
export { NB201_OPS } from './ops/nb201-ops';
export { SUPERNETS } from './nets/supernet-registry';
export { buildNetwork, countParams } from './nets/network';
export { toInferenceModel } from './nets/network-export';
export { batchGradients } from './train/retrain-step';
export { saveModel, loadModel } from './nets/network-io';
export { buildMacroNet, disposeMacroNet } from './nets/macro-net';
export { macroInferenceModel } from './nets/macro-net-export';

// Data, search, training.
export { DATASETS, DATASET_NAMES, BatchLoader, searchSplit } from './data';
export { SEARCHERS, SEARCHER_NAMES, makeSearcher, restoreSearcher } from './search/blackbox/registry';
export { EVALUATORS, EVALUATOR_NAMES, makeEvaluator } from './search/evaluators/registry';
export { Nb101Table } from './search/tables/nb101-table';
export { Nb101Evaluator, loadNb101Table } from './search/evaluators/nb101-evaluator';
export { readTfRecords, encodeTfRecord } from './data/tfrecord';
export { runDartsSearchLoop } from './search/darts/search';
export { retrain } from './train/retrain';
export { SgdMomentum, Adam, clipByGlobalNorm } from './train/optim';
export { cosineLr } from './train/schedule';
export { saveCheckpoint, loadCheckpoint } from './train/checkpoint';

// Hardware-aware search: latency tables, the predictor, the black-box constraint.
export { measureLatencyTable, timeInterleaved } from './latency/measure';
export { machineInfo, nodeEnvironment } from './latency/machine';
export { readLatencyTable, writeLatencyTable } from './latency/table';
export { predictLatency, expectedLatency, spearman } from './latency/predictor';
export { constrainSearcher, paretoFront } from './latency/constraint';

export const VERSION = '0.1.0';
