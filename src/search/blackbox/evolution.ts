/**
 * Regularized (aging) evolution, Real et al., AAAI 2019, Algorithm 1, with the settings of the
 * NAS-Bench-201 reference run (D-X-Y/AutoDL-Projects scripts-search/algos/R-EA.sh: population 10,
 * sample size 3): fill the population with random architectures; then each cycle samples
 * `tournament` members with replacement, mutates the best of them (one op, or one input in the
 * DARTS space), adds the child and removes the oldest member.
 */
import type { Genotype, SearchSpace } from '../../space/spaces';
import { UsageError } from '../../io/errors';
import { BaseSearcher, type Scored, type SearcherOptions } from './searcher';

export const EVOLUTION_DEFAULTS = { population: 10, tournament: 3 };

export class EvolutionSearcher extends BaseSearcher {
  private population: Scored[] = [];
  private readonly size: number;
  private readonly sample: number;

  constructor(name: string, space: SearchSpace<Genotype>, opts: SearcherOptions) {
    super(name, space, opts);
    this.size = opts.population ?? EVOLUTION_DEFAULTS.population;
    this.sample = opts.tournament ?? EVOLUTION_DEFAULTS.tournament;
    if (!(this.size >= 1)) throw new UsageError(`--population: evolution needs a population ≥ 1, got ${this.size}`);
    if (!(this.sample >= 1)) throw new UsageError(`--tournament: evolution needs a tournament sample ≥ 1, got ${this.sample}`);
  }

  protected propose(): Genotype {
    if (this.population.length < this.size) return this.space.sample(this.rng);
    let parent: Scored | null = null;
    for (let i = 0; i < this.sample; i++) {
      const c = this.population[this.rng.int(this.population.length)];
      if (!parent || c.score > parent.score) parent = c;
    }
    return this.space.mutate(this.space.fromKey(parent!.key), this.rng);
  }

  protected observe(key: string, score: number): void {
    this.population.push({ key, score });
    if (this.population.length > this.size) this.population.shift();
  }

  protected extraState(): unknown {
    return { population: this.population };
  }

  protected loadExtra(extra: unknown): void {
    this.population = ((extra as { population: Scored[] }).population ?? []).map((p) => ({ ...p }));
  }
}
