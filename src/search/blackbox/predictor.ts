/**
 * Predictor-based search (in the spirit of BANANAS, White et al. 2021, with the adjacency one-hot
 * encoding): after `init` random architectures, each round fits an ensemble of MLP regressors to
 * every (encoding, score) seen so far, scores a pool of candidates (uniform samples plus one- and
 * two-step mutations of the best architectures) with an upper confidence bound
 * (mean + κ·std over the ensemble), and evaluates the `batch` best unseen ones.
 */
import type { Genotype, SearchSpace } from '../../space/spaces';
import type { Rng } from '../../space/rng';
import { ModelBasedSearcher, topK, type SearcherOptions } from './searcher';
import { EnsembleMlp, standardize } from './mlp';

export const PREDICTOR_DEFAULTS = {
  init: 10,
  batch: 10,
  members: 5,
  hidden: [32, 32],
  steps: 100,
  lr: 0.02,
  randomCandidates: 500,
  parents: 10,
  mutationsPerParent: 20,
  kappa: 0.5,
};

/** A pool of unseen candidate architectures: random samples and mutations of the best so far. */
export function candidatePool(
  space: SearchSpace<Genotype>,
  searcher: { rng: Rng; hist: readonly { key: string; score: number }[] },
  opts: { randomCandidates: number; parents: number; mutationsPerParent: number },
): Genotype[] {
  const seen = new Set(searcher.hist.map((h) => h.key));
  const pool = new Map<string, Genotype>();
  const add = (g: Genotype) => {
    const k = space.key(g);
    if (!seen.has(k) && !pool.has(k)) pool.set(k, g);
  };
  for (const p of topK(searcher.hist, opts.parents)) {
    const parent = space.fromKey(p.key);
    for (let i = 0; i < opts.mutationsPerParent; i++) {
      const child = space.mutate(parent, searcher.rng);
      add(i % 2 === 0 ? child : space.mutate(child, searcher.rng));
    }
  }
  for (let i = 0; i < opts.randomCandidates; i++) add(space.sample(searcher.rng));
  return [...pool.values()];
}

export class PredictorSearcher extends ModelBasedSearcher {
  constructor(name: string, space: SearchSpace<Genotype>, opts: SearcherOptions) {
    super(name, space, opts, PREDICTOR_DEFAULTS);
  }

  protected async nextBatch(): Promise<string[]> {
    const d = PREDICTOR_DEFAULTS;
    const pool = candidatePool(this.space, { rng: this.rng, hist: this.hist }, d);
    if (pool.length === 0) return [];
    const x = this.hist.map((h) => this.space.features(this.space.fromKey(h.key)));
    const { z } = standardize(this.hist.map((h) => h.score));
    const model = new EnsembleMlp(x[0].length, d.hidden, d.members, this.rng.fork());
    try {
      await model.fit(x, z, { steps: this.opts.steps ?? d.steps, lr: d.lr });
      const { mean, std } = await model.predict(pool.map((g) => this.space.features(g)));
      const ucb = mean.map((m, i) => m + d.kappa * std[i]);
      const order = ucb.map((_, i) => i).sort((a, b) => ucb[b] - ucb[a] || a - b);
      return order.slice(0, this.batch).map((i) => this.space.key(pool[i]));
    } finally {
      model.dispose();
    }
  }
}
