/**
 * A classic generational genetic algorithm: a population of `population` architectures; each
 * generation keeps the `elite` best unchanged (elitism, not re-evaluated) and breeds the rest:
 * two parents by tournament selection, crossover with probability 0.9, then mutation (one
 * mutation always, a second with probability 0.5). Children already evaluated are re-bred (up to
 * a few tries) so the budget is not spent on repeats.
 */
import type { Genotype, SearchSpace } from '../../space/spaces';
import { UsageError } from '../../io/errors';
import { BaseSearcher, topK, type Scored, type SearcherOptions } from './searcher';

export const GENETIC_DEFAULTS = { population: 20, tournament: 3, elite: 2, crossover: 0.9 };
const REBREED_TRIES = 20;

export class GeneticSearcher extends BaseSearcher {
  /** The current (evaluated) generation. */
  private parents: Scored[] = [];
  /** Children of the generation being evaluated. */
  private children: Scored[] = [];
  private readonly size: number;
  private readonly tournament: number;

  constructor(name: string, space: SearchSpace<Genotype>, opts: SearcherOptions) {
    super(name, space, opts);
    this.size = opts.population ?? GENETIC_DEFAULTS.population;
    this.tournament = opts.tournament ?? GENETIC_DEFAULTS.tournament;
    if (!(this.size > GENETIC_DEFAULTS.elite)) {
      throw new UsageError(`--population: genetic needs a population > ${GENETIC_DEFAULTS.elite} (the elite kept each generation), got ${this.size}`);
    }
    if (!(this.tournament >= 1)) throw new UsageError(`--tournament: genetic needs a tournament size ≥ 1, got ${this.tournament}`);
  }

  private select(): Genotype {
    let best: Scored | null = null;
    for (let i = 0; i < this.tournament; i++) {
      const c = this.parents[this.rng.int(this.parents.length)];
      if (!best || c.score > best.score) best = c;
    }
    return this.space.fromKey(best!.key);
  }

  private breed(): Genotype {
    const a = this.select();
    const b = this.select();
    let child = this.rng.next() < GENETIC_DEFAULTS.crossover ? this.space.crossover(a, b, this.rng) : a;
    child = this.space.mutate(child, this.rng);
    if (this.rng.next() < 0.5) child = this.space.mutate(child, this.rng);
    return child;
  }

  protected propose(): Genotype {
    if (this.parents.length === 0) return this.space.sample(this.rng);
    const seen = this.seen();
    let child = this.breed();
    for (let t = 0; t < REBREED_TRIES && seen.has(this.space.key(child)); t++) child = this.breed();
    return child;
  }

  /** Generational: the children of one generation are asked together; the next waits for all their scores. */
  capacity(pending: number): number {
    const want = this.parents.length === 0 ? this.size : this.size - GENETIC_DEFAULTS.elite;
    return Math.max(0, want - this.children.length - pending);
  }

  protected observe(key: string, score: number): void {
    this.children.push({ key, score });
    const want = this.parents.length === 0 ? this.size : this.size - GENETIC_DEFAULTS.elite;
    if (this.children.length < want) return;
    const elite = topK(this.parents, this.parents.length === 0 ? 0 : GENETIC_DEFAULTS.elite);
    this.parents = [...elite, ...this.children];
    this.children = [];
  }

  protected extraState(): unknown {
    return { parents: this.parents, children: this.children };
  }

  protected loadExtra(extra: unknown): void {
    const e = extra as { parents: Scored[]; children: Scored[] };
    this.parents = e.parents.map((p) => ({ ...p }));
    this.children = e.children.map((p) => ({ ...p }));
  }
}
