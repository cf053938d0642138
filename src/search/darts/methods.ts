import type { DartsConfig } from './config';

/**
 * `tfnas search --method NAME`: named presets of the composable options of a DARTS search. Each
 * setting can also be given alone (or overrides the preset when given with it); config.json records
 * the resolved settings, so a run never depends on a preset's later change.
 */
export interface MethodPreset {
  describe: string;
  settings: Partial<DartsConfig>;
}

export const METHODS = {
  darts: { describe: 'DARTS (Liu et al., ICLR 2019): softmax-weighted sum of every op', settings: {} },
  'pc-darts': {
    describe: 'PC-DARTS (Xu et al., ICLR 2020): partial channels K=4, edge normalisation, α fixed for 15 warm-up epochs; batch 256, lr 0.1, α lr 6e-4',
    // yuhuixu1993/PC-DARTS train_search.py: batch_size 256, learning_rate 0.1, learning_rate_min 0.0,
    // arch_learning_rate 6e-4, architecture steps from epoch 15; model_search.py k = 4.
    settings: { partialChannels: 4, edgeNorm: true, warmupEpochs: 15, batchSize: 256, lr: 0.1, lrMin: 0, archLr: 6e-4 },
  },
  'beta-darts': {
    describe: 'β-DARTS (Ye et al., CVPR 2022): Beta-decay λ·mean logsumexp(α_edge), λ linear 0 → 50',
    // The authors' NAS-Bench-201 setting: λ = 50·e/epochs (Sunshine-Ye/Beta-DARTS).
    settings: { betaDecay: [0, 50] },
  },
  'darts-minus': {
    describe: 'DARTS- (Chu et al., ICLR 2021): auxiliary skip β_skip·x on every edge, β_skip linear 1 → 0',
    settings: { auxSkip: [1, 0] },
  },
  gdas: {
    describe: 'GDAS (Dong & Yang, CVPR 2019): one op per edge drawn by hard Gumbel-softmax, τ linear 10 → 0.1',
    // AutoDL-Projects GDAS: tau_max 10, tau_min 0.1, annealed linearly over the search.
    settings: { gumbelTau: [10, 0.1] },
  },
} as const satisfies Record<string, MethodPreset>;

export type MethodName = keyof typeof METHODS;
export const METHOD_NAMES = Object.keys(METHODS) as MethodName[];

/** A method's warm-up scaled to a shorter search (PC-DARTS: 15 of 50 epochs), for benchmarks. */
export function scaledWarmup(method: MethodName, epochs: number): number {
  const w = (METHODS[method].settings as Partial<DartsConfig>).warmupEpochs ?? 0;
  return Math.min(epochs - 1, Math.round((w * epochs) / 50));
}
