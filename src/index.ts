/**
 * tfnas: neural architecture search on TensorFlow.js. The library API; the `tfnas` CLI is built on
 * the same functions. Call `useBackend()` first and use the `tf` exported here.
 */
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
export { SPACES, SPACE_NAMES, getSpace } from './space/spaces';
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
export { readLatencyTable, writeLatencyTable } from './latency/table';
export { predictLatency, expectedLatency, spearman } from './latency/predictor';
export { constrainSearcher, paretoFront } from './latency/constraint';

export const VERSION = '0.1.0';
