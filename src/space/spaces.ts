/**
 * The search spaces the black-box searchers work on, as one interface (`name → space` registry):
 * sampling, mutation, crossover, a canonical string key (for dedupe and logs), a feature vector for
 * predictors, and a token sequence for NAO. Pure data, no tensors.
 */
import type { DartsGenotype, Nb101Genotype, Nb201Genotype } from './genotype-types';
import { NB201_EDGES, NB201_PRIMITIVES } from './primitives';
import type { Rng } from './rng';
import {
  nb201Crossover,
  nb201Decode,
  nb201Encode,
  nb201FromString,
  nb201IsValid,
  nb201Mutate,
  nb201Sample,
  nb201ToString,
} from './nb201-space';
import {
  DARTS_TOKEN_VOCAB,
  dartsCanonical,
  dartsCrossover,
  dartsDecode,
  dartsEncode,
  dartsFromKey,
  dartsFromTokenScores,
  dartsIsValid,
  dartsMutate,
  dartsSample,
  dartsToKey,
  dartsTokens,
} from './darts-space';
import { argmax } from './nb201-space';
import {
  NB101_TOKEN_VOCAB,
  nb101Crossover,
  nb101Decode,
  nb101Encode,
  nb101FromKey,
  nb101FromTokenScores,
  nb101Mutate,
  nb101PathEncoding,
  nb101Sample,
  nb101Tokens,
  nb101ToKey,
} from './nb101-space';
import { nb101IsValid } from './nb101-spec';
import {
  MACRO_TOKEN_VOCAB,
  macroCrossover,
  macroDecode,
  macroEncode,
  macroFromKey,
  macroFromTokenScores,
  macroIsValid,
  macroMutate,
  macroSample,
  macroToKey,
  macroTokens,
  type MacroGenotype,
} from './macro-space';
import { budgeted, macroCost, macroShrink } from './macro-budget';

export type Genotype = Nb201Genotype | DartsGenotype | Nb101Genotype | MacroGenotype;

export interface SearchSpace<G = Genotype> {
  readonly name: SpaceName;
  sample(rng: Rng): G;
  mutate(g: G, rng: Rng): G;
  crossover(a: G, b: G, rng: Rng): G;
  isValid(g: G): boolean;
  /**
   * Canonical one-line form: equal keys ⇔ the same genotype. (In nb201 and darts that is the same
   * architecture; an nb101 genotype also holds the vertices pruning drops, and isomorphic cells
   * have different keys: the official hash names the architecture.)
   */
  key(g: G): string;
  fromKey(key: string): G;
  /** Fixed-length feature vector (one-hot ops on the cell's adjacency) for performance predictors. */
  encode(g: G): number[];
  decode(v: readonly number[]): G;
  /** The performance predictors' input: `encode`, or a space's better-suited encoding (nb101: BANANAS's path encoding). */
  features(g: G): number[];
  /** NAO's token sequence and each position's vocabulary size. */
  tokens(g: G): number[];
  readonly tokenVocab: readonly number[];
  /** Best valid genotype for per-position token scores (e.g. decoder logits). */
  fromTokenScores(scores: readonly (readonly number[])[]): G;
}

export const NB201_SPACE: SearchSpace<Nb201Genotype> = {
  name: 'nb201',
  sample: nb201Sample,
  mutate: nb201Mutate,
  crossover: nb201Crossover,
  isValid: nb201IsValid,
  key: nb201ToString,
  fromKey: nb201FromString,
  encode: nb201Encode,
  decode: nb201Decode,
  features: nb201Encode,
  tokens: (g) => g.ops.map((op) => (NB201_PRIMITIVES as readonly string[]).indexOf(op)),
  tokenVocab: new Array<number>(NB201_EDGES).fill(NB201_PRIMITIVES.length),
  fromTokenScores: (scores) => ({ ops: scores.map((s) => NB201_PRIMITIVES[argmax(s)]) }),
};

export const DARTS_SPACE: SearchSpace<DartsGenotype> = {
  name: 'darts',
  sample: dartsSample,
  mutate: dartsMutate,
  crossover: dartsCrossover,
  isValid: dartsIsValid,
  key: dartsToKey,
  fromKey: (k) => dartsCanonical(dartsFromKey(k)),
  encode: dartsEncode,
  decode: dartsDecode,
  features: dartsEncode,
  tokens: dartsTokens,
  tokenVocab: DARTS_TOKEN_VOCAB,
  fromTokenScores: dartsFromTokenScores,
};

/** NAS-Bench-101 (Ying et al., ICML 2019): the 7-vertex cell with node ops; see nb101-space.ts. */
export const NB101_SPACE: SearchSpace<Nb101Genotype> = {
  name: 'nb101',
  sample: nb101Sample,
  mutate: nb101Mutate,
  crossover: nb101Crossover,
  isValid: nb101IsValid,
  key: nb101ToKey,
  fromKey: nb101FromKey,
  encode: nb101Encode,
  decode: nb101Decode,
  features: nb101PathEncoding,
  tokens: nb101Tokens,
  tokenVocab: NB101_TOKEN_VOCAB,
  fromTokenScores: nb101FromTokenScores,
};

/** A whole chain CNN (stages of conv blocks, pooling, head): see macro-space.ts; scored by the train evaluator. */
export const MACRO_SPACE: SearchSpace<MacroGenotype> = {
  name: 'macro',
  sample: macroSample,
  mutate: macroMutate,
  crossover: macroCrossover,
  isValid: macroIsValid,
  key: macroToKey,
  fromKey: macroFromKey,
  encode: macroEncode,
  decode: macroDecode,
  features: macroEncode,
  tokens: macroTokens,
  tokenVocab: MACRO_TOKEN_VOCAB,
  fromTokenScores: macroFromTokenScores,
};

export const SPACES = { nb201: NB201_SPACE, darts: DARTS_SPACE, nb101: NB101_SPACE, macro: MACRO_SPACE } as const;
export type SpaceName = keyof typeof SPACES;
export const SPACE_NAMES = Object.keys(SPACES) as SpaceName[];

/**
 * The macro space limited to chains of at most `maxMacs` multiply-accumulates per 32×32 RGB image
 * (macro-budget.ts): sampling, mutation and crossover stay under it; a decoded or NAO-proposed
 * chain over it is shrunk until it fits.
 */
export function macroSpaceWithin(maxMacs: number): SearchSpace<MacroGenotype> {
  return {
    ...MACRO_SPACE,
    ...budgeted(maxMacs, MACRO_SPACE),
    isValid: (g) => macroIsValid(g) && macroCost(g) <= maxMacs,
    decode: (v) => macroShrink(macroDecode(v), maxMacs),
    fromTokenScores: (s) => macroShrink(macroFromTokenScores(s), maxMacs),
  };
}

export function getSpace(name: string): SearchSpace<Genotype> {
  const s = (SPACES as unknown as Record<string, SearchSpace<Genotype>>)[name];
  if (!s) throw new Error(`unknown search space "${name}" (expected one of ${SPACE_NAMES.join(', ')})`);
  return s;
}
