/**
 * The macro space (`--space macro`): a whole chain network rather than a cell, as in the plain-CNN
 * example AutoKeras's ImageClassifier starts from (a few conv layers, pooling, a dense head),
 * generalised the way AutoKeras's ConvBlock and the ENAS macro space (Pham et al., 2018) do:
 * 1–3 stages of 1–3 blocks; each block a 3×3/5×5/7×7 convolution (plain or depthwise-separable)
 * with 16–128 filters and an optional residual connection; each stage ends in max, average or no
 * pooling; batch norm on or off for the whole net, dropout before a dense head of 0–256 units.
 * Pure data: sampling, mutation, crossover, a canonical key, encodings for predictors and NAO.
 */
import type { Rng } from './rng';

export const MACRO_FILTERS = [16, 32, 64, 128] as const;
export const MACRO_KERNELS = [3, 5, 7] as const;
export const MACRO_POOLS = ['max', 'avg', 'none'] as const;
export const MACRO_DROPOUTS = [0, 0.25, 0.5] as const;
/** Units of the dense layer before the classifier (0: global average pooling straight into it). */
export const MACRO_DENSE = [0, 64, 128, 256] as const;
export const MACRO_MAX_STAGES = 3;
export const MACRO_MAX_BLOCKS = 3;

export interface MacroBlock {
  filters: (typeof MACRO_FILTERS)[number];
  kernel: (typeof MACRO_KERNELS)[number];
  /** Depthwise-separable (depthwise k×k then pointwise 1×1) instead of a full convolution. */
  separable: boolean;
  /** Adds the block's input to its output (a 1×1 projection where the widths differ). */
  skip: boolean;
}

export interface MacroStage {
  blocks: MacroBlock[];
  pool: (typeof MACRO_POOLS)[number];
}

export interface MacroGenotype {
  stages: MacroStage[];
  batchNorm: boolean;
  dropout: (typeof MACRO_DROPOUTS)[number];
  dense: (typeof MACRO_DENSE)[number];
}

/** The seed example's plain CNN in this space: conv 32, pool, conv 64, pool, dense 128 (the fixed baseline). */
export const MACRO_PLAIN_CNN: MacroGenotype = {
  stages: [
    { blocks: [{ filters: 32, kernel: 3, separable: false, skip: false }], pool: 'max' },
    { blocks: [{ filters: 64, kernel: 3, separable: false, skip: false }], pool: 'max' },
  ],
  batchNorm: false,
  dropout: 0.5,
  dense: 128,
};

/**
 * Where ImageClassifier's search starts (its `initial`), before it explores: the plain CNN, then
 * two chains that train better in 3 epochs (a third pooled stage of 128 filters; a wider head with
 * less dropout). Measured with the macro trainer on 8,000 CIFAR-10 images, 3 epochs, 5,000 test
 * images: 45.7%, 50.9%, 48.6–48.8% (with dropout 0 / 0.25). Batch norm scored lower in so few
 * epochs: 47.1% for the second with bn=1, 43.9% for the third.
 */
export const MACRO_INITIAL: readonly string[] = [
  'conv3-32/max conv3-64/max bn=0 drop=0.5 dense=128',
  'conv3-32/max conv3-64/max conv3-128/max bn=0 drop=0.25 dense=256',
  'conv3-32/max conv3-64/max bn=0 drop=0.25 dense=256',
];

const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[rng.int(xs.length)];

function sampleBlock(rng: Rng): MacroBlock {
  return { filters: pick(rng, MACRO_FILTERS), kernel: pick(rng, MACRO_KERNELS), separable: rng.next() < 0.5, skip: rng.next() < 0.5 };
}

function sampleStage(rng: Rng): MacroStage {
  return { blocks: Array.from({ length: 1 + rng.int(MACRO_MAX_BLOCKS) }, () => sampleBlock(rng)), pool: pick(rng, MACRO_POOLS) };
}

export function macroSample(rng: Rng): MacroGenotype {
  return {
    stages: Array.from({ length: 1 + rng.int(MACRO_MAX_STAGES) }, () => sampleStage(rng)),
    batchNorm: rng.next() < 0.5,
    dropout: pick(rng, MACRO_DROPOUTS),
    dense: pick(rng, MACRO_DENSE),
  };
}

const inList = (xs: readonly unknown[], v: unknown) => xs.includes(v);

export function macroIsValid(g: MacroGenotype): boolean {
  if (!g || !Array.isArray(g.stages) || g.stages.length < 1 || g.stages.length > MACRO_MAX_STAGES) return false;
  if (typeof g.batchNorm !== 'boolean' || !inList(MACRO_DROPOUTS, g.dropout) || !inList(MACRO_DENSE, g.dense)) return false;
  return g.stages.every(
    (s) =>
      inList(MACRO_POOLS, s.pool) &&
      Array.isArray(s.blocks) &&
      s.blocks.length >= 1 &&
      s.blocks.length <= MACRO_MAX_BLOCKS &&
      s.blocks.every((b) => inList(MACRO_FILTERS, b.filters) && inList(MACRO_KERNELS, b.kernel) && typeof b.separable === 'boolean' && typeof b.skip === 'boolean'),
  );
}

const clone = (g: MacroGenotype): MacroGenotype => ({ ...g, stages: g.stages.map((s) => ({ pool: s.pool, blocks: s.blocks.map((b) => ({ ...b })) })) });

/** The mutations, one drawn per call; each changes the genotype (a no-op draw is retried by the caller's dedupe). */
const MUTATIONS: ((g: MacroGenotype, rng: Rng) => boolean)[] = [
  // One block's filters, kernel, separability or skip.
  (g, rng) => {
    const b = pick(rng, pick(rng, g.stages).blocks);
    const field = rng.int(4);
    if (field === 0) b.filters = pick(rng, MACRO_FILTERS.filter((f) => f !== b.filters));
    else if (field === 1) b.kernel = pick(rng, MACRO_KERNELS.filter((k) => k !== b.kernel));
    else if (field === 2) b.separable = !b.separable;
    else b.skip = !b.skip;
    return true;
  },
  // Add or remove a block.
  (g, rng) => {
    const s = pick(rng, g.stages);
    if (s.blocks.length < MACRO_MAX_BLOCKS && (s.blocks.length === 1 || rng.next() < 0.5)) s.blocks.splice(rng.int(s.blocks.length + 1), 0, sampleBlock(rng));
    else if (s.blocks.length > 1) s.blocks.splice(rng.int(s.blocks.length), 1);
    else return false;
    return true;
  },
  // Add or remove a stage.
  (g, rng) => {
    if (g.stages.length < MACRO_MAX_STAGES && (g.stages.length === 1 || rng.next() < 0.5)) g.stages.splice(rng.int(g.stages.length + 1), 0, sampleStage(rng));
    else if (g.stages.length > 1) g.stages.splice(rng.int(g.stages.length), 1);
    else return false;
    return true;
  },
  (g, rng) => {
    const s = pick(rng, g.stages);
    s.pool = pick(rng, MACRO_POOLS.filter((p) => p !== s.pool));
    return true;
  },
  (g, rng) => {
    const field = rng.int(3);
    if (field === 0) g.batchNorm = !g.batchNorm;
    else if (field === 1) g.dropout = pick(rng, MACRO_DROPOUTS.filter((d) => d !== g.dropout));
    else g.dense = pick(rng, MACRO_DENSE.filter((d) => d !== g.dense));
    return true;
  },
];

/** One random change (a block's settings, a block or stage added or removed, a pooling, the head). */
export function macroMutate(g: MacroGenotype, rng: Rng): MacroGenotype {
  for (;;) {
    const out = clone(g);
    if (pick(rng, MUTATIONS)(out, rng)) return out;
  }
}

/** Uniform crossover by position: each stage slot, each block slot within it, and each head setting from either parent. */
export function macroCrossover(a: MacroGenotype, b: MacroGenotype, rng: Rng): MacroGenotype {
  const either = <T>(x: T, y: T) => (rng.next() < 0.5 ? x : y);
  const n = either(a.stages.length, b.stages.length);
  const stages: MacroStage[] = [];
  for (let i = 0; i < n; i++) {
    const sa = a.stages[i] ?? b.stages[i];
    const sb = b.stages[i] ?? a.stages[i];
    const m = either(sa.blocks.length, sb.blocks.length);
    const blocks = Array.from({ length: m }, (_, j) => ({ ...(either(sa.blocks[j], sb.blocks[j]) ?? sa.blocks[j] ?? sb.blocks[j]) }));
    stages.push({ blocks, pool: either(sa.pool, sb.pool) });
  }
  return { stages, batchNorm: either(a.batchNorm, b.batchNorm), dropout: either(a.dropout, b.dropout), dense: either(a.dense, b.dense) };
}

/** Canonical one-line form, e.g. `conv3-32,sep5-64+/max conv3-128/none bn=1 drop=0.25 dense=128` (`+`: skip). */
export function macroToKey(g: MacroGenotype): string {
  const stages = g.stages.map((s) => `${s.blocks.map((b) => `${b.separable ? 'sep' : 'conv'}${b.kernel}-${b.filters}${b.skip ? '+' : ''}`).join(',')}/${s.pool}`);
  return `${stages.join(' ')} bn=${g.batchNorm ? 1 : 0} drop=${g.dropout} dense=${g.dense}`;
}

export function macroFromKey(key: string): MacroGenotype {
  const parts = key.trim().split(/\s+/);
  const tail = Object.fromEntries(parts.filter((p) => p.includes('=')).map((p) => p.split('=')));
  const stages = parts
    .filter((p) => !p.includes('='))
    .map((p) => {
      const [blocks, pool] = p.split('/');
      return {
        pool: pool as MacroStage['pool'],
        blocks: blocks.split(',').map((b) => {
          const m = /^(conv|sep)(\d)-(\d+)(\+?)$/.exec(b);
          if (!m) throw new Error(`macro genotype: block "${b}" is not conv<k>-<filters> or sep<k>-<filters> (+ for a skip)`);
          return { separable: m[1] === 'sep', kernel: Number(m[2]), filters: Number(m[3]), skip: m[4] === '+' } as MacroBlock;
        }),
      };
    });
  const g = { stages, batchNorm: tail.bn === '1', dropout: Number(tail.drop), dense: Number(tail.dense) } as MacroGenotype;
  if (!macroIsValid(g)) throw new Error(`macro genotype: "${key}" is not in the macro space`);
  return g;
}

/**
 * NAO's tokens, one per position (absent stages and blocks are 0): per stage its block count
 * (0: no stage) and pooling; per block slot filters, kernel, separable, skip; then batch norm,
 * dropout, dense.
 */
export const MACRO_TOKEN_VOCAB: readonly number[] = [
  ...Array.from({ length: MACRO_MAX_STAGES }, () => [
    MACRO_MAX_BLOCKS + 1,
    MACRO_POOLS.length,
    ...Array.from({ length: MACRO_MAX_BLOCKS }, () => [MACRO_FILTERS.length, MACRO_KERNELS.length, 2, 2]).flat(),
  ]).flat(),
  2,
  MACRO_DROPOUTS.length,
  MACRO_DENSE.length,
];

export function macroTokens(g: MacroGenotype): number[] {
  const out: number[] = [];
  for (let s = 0; s < MACRO_MAX_STAGES; s++) {
    const st = g.stages[s];
    out.push(st ? st.blocks.length : 0, st ? MACRO_POOLS.indexOf(st.pool) : 0);
    for (let b = 0; b < MACRO_MAX_BLOCKS; b++) {
      const bl = st?.blocks[b];
      out.push(bl ? MACRO_FILTERS.indexOf(bl.filters) : 0, bl ? MACRO_KERNELS.indexOf(bl.kernel) : 0, bl?.separable ? 1 : 0, bl?.skip ? 1 : 0);
    }
  }
  out.push(g.batchNorm ? 1 : 0, MACRO_DROPOUTS.indexOf(g.dropout), MACRO_DENSE.indexOf(g.dense));
  return out;
}

/** The genotype of a token sequence; a stage count of 0 ends the chain (the first stage has at least one block). */
export function macroFromTokens(t: readonly number[]): MacroGenotype {
  const stages: MacroStage[] = [];
  let i = 0;
  let ended = false;
  for (let s = 0; s < MACRO_MAX_STAGES; s++) {
    const count = s === 0 ? Math.max(1, t[i]) : t[i];
    const pool = MACRO_POOLS[t[i + 1]];
    i += 2;
    const blocks: MacroBlock[] = [];
    for (let b = 0; b < MACRO_MAX_BLOCKS; b++, i += 4) {
      if (b < count) blocks.push({ filters: MACRO_FILTERS[t[i]], kernel: MACRO_KERNELS[t[i + 1]], separable: t[i + 2] === 1, skip: t[i + 3] === 1 });
    }
    if (count === 0) ended = true;
    if (!ended) stages.push({ blocks, pool });
  }
  return { stages, batchNorm: t[i] === 1, dropout: MACRO_DROPOUTS[t[i + 1]], dense: MACRO_DENSE[t[i + 2]] };
}

const argmax = (xs: readonly number[]) => xs.reduce((best, v, i) => (v > xs[best] ? i : best), 0);

export function macroFromTokenScores(scores: readonly (readonly number[])[]): MacroGenotype {
  return macroFromTokens(scores.map(argmax));
}

/** Fixed-length one-hot encoding of the token sequence (what the predictors read). */
export function macroEncode(g: MacroGenotype): number[] {
  const t = macroTokens(g);
  return MACRO_TOKEN_VOCAB.flatMap((n, i) => Array.from({ length: n }, (_, v) => (v === t[i] ? 1 : 0)));
}

export function macroDecode(v: readonly number[]): MacroGenotype {
  const scores: number[][] = [];
  let at = 0;
  for (const n of MACRO_TOKEN_VOCAB) {
    scores.push(Array.from(v.slice(at, at + n)));
    at += n;
  }
  return macroFromTokenScores(scores);
}

/** The number of convolution blocks in the chain. */
export function macroConvCount(g: MacroGenotype): number {
  return g.stages.reduce((n, s) => n + s.blocks.length, 0);
}

/**
 * Multiply-accumulates of one forward pass on an H×W×C input (convolutions, projections and dense
 * layers; pooling, batch norm and activations are not counted): the compute a candidate costs.
 */
export function macroMacs(g: MacroGenotype, inputShape: readonly [number, number, number], numClasses: number): number {
  let [h, w, c] = inputShape;
  let macs = 0;
  for (const s of g.stages) {
    for (const b of s.blocks) {
      const k2 = b.kernel * b.kernel;
      macs += h * w * (b.separable ? c * k2 + c * b.filters : c * b.filters * k2);
      if (b.skip && c !== b.filters) macs += h * w * c * b.filters;
      c = b.filters;
    }
    if (s.pool !== 'none' && Math.min(h, w) >= 2) [h, w] = [Math.floor(h / 2), Math.floor(w / 2)];
  }
  const features = Math.max(h, w) <= 8 ? h * w * c : c;
  return macs + (g.dense > 0 ? features * g.dense + g.dense * numClasses : features * numClasses);
}
