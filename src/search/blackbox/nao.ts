/**
 * Neural Architecture Optimization (Luo et al., NeurIPS 2018) as a searcher: after `init` random
 * architectures, each round trains the LSTM encoder / MLP predictor / attention LSTM decoder of
 * `nao-model.ts` jointly on everything seen (scores min-max scaled to [0, 1] as in NAO), then
 * from the best `parents` architectures moves the encoder state along the predictor's gradient
 * with step η = 1, 2, … up to 100 (the reference's `predict_step_size += 1` loop and
 * `max_step_size`), greedily decodes, and keeps for each parent the first decoded architecture
 * that is new (not evaluated, not already proposed this round). The new candidates with the
 * highest predicted score are evaluated, `batch` per round; if decoding yields too few,
 * one-step mutations of the best fill up.
 */
import type { Genotype, SearchSpace } from '../../space/spaces';
import { ModelBasedSearcher, topK, type SearcherOptions } from './searcher';
import { NAO_MODEL_DEFAULTS, NaoModel } from './nao-model';

export const NAO_DEFAULTS = { init: 10, batch: 10, parents: 20, step: 1, iters: 100 };

export class NaoSearcher extends ModelBasedSearcher {
  constructor(name: string, space: SearchSpace<Genotype>, opts: SearcherOptions) {
    super(name, space, opts, NAO_DEFAULTS);
  }

  protected async nextBatch(): Promise<string[]> {
    const s = this.space;
    const seqs = this.hist.map((h) => s.tokens(s.fromKey(h.key)));
    const scores = this.hist.map((h) => h.score);
    const [lo, hi] = [Math.min(...scores), Math.max(...scores)];
    const y01 = scores.map((v) => (hi > lo ? (v - lo) / (hi - lo) : 0.5));
    const model = new NaoModel(s.tokenVocab, this.rng.fork(), { ...NAO_MODEL_DEFAULTS, steps: this.opts.steps ?? NAO_MODEL_DEFAULTS.steps });
    try {
      await model.fit(seqs, y01);
      const found = await this.decodeCandidates(model);
      const keys = [...found.keys()];
      const predicted = keys.length ? await model.score(keys.map((k) => s.tokens(s.fromKey(k)))) : [];
      const order = keys.map((_, i) => i).sort((a, b) => predicted[b] - predicted[a] || a - b);
      const chosen = order.slice(0, this.batch).map((i) => keys[i]);
      return this.fillUp(chosen);
    } finally {
      model.dispose();
    }
  }

  /** First new architecture decoded along each parent's gradient walk (η = step, 2·step, …). */
  private async decodeCandidates(model: NaoModel): Promise<Map<string, true>> {
    const s = this.space;
    const seen = this.seen();
    const parents = topK(this.hist, NAO_DEFAULTS.parents).map((h) => s.tokens(s.fromKey(h.key)));
    const etas = Array.from({ length: NAO_DEFAULTS.iters }, (_, t) => NAO_DEFAULTS.step * (t + 1));
    const found = new Map<string, true>();
    await model.walk(parents, etas, (_n, logp) => {
      const key = s.key(s.fromTokenScores(logp.map((row, p) => row.slice(0, s.tokenVocab[p]))));
      if (seen.has(key) || found.has(key)) return false;
      found.set(key, true);
      return true;
    });
    return found;
  }

  private fillUp(chosen: string[]): string[] {
    const s = this.space;
    const taken = new Set([...this.seen(), ...chosen]);
    const best = topK(this.hist, NAO_DEFAULTS.parents);
    for (let t = 0; chosen.length < this.batch && t < 50 * this.batch; t++) {
      const g = t < 20 * this.batch ? s.mutate(s.fromKey(best[t % best.length].key), this.rng) : s.sample(this.rng);
      const k = s.key(g);
      if (!taken.has(k)) {
        taken.add(k);
        chosen.push(k);
      }
    }
    if (chosen.length === 0) chosen.push(s.key(s.sample(this.rng)));
    return chosen;
  }
}
