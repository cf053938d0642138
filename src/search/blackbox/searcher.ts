/**
 * The contract every black-box searcher implements: `ask()` proposes a genotype, `tell()` reports
 * its score (higher is better), `best()` is the best told so far. The whole state is plain JSON
 * (`state()` / `restore()`), so a search can be checkpointed after any `tell` and resumed with the
 * same continuation. Each searcher draws every random choice from its own seeded `Rng`.
 */
import { UsageError } from '../../io/errors';
import type { Genotype, SearchSpace } from '../../space/spaces';
import { Rng } from '../../space/rng';

export interface Scored {
  key: string;
  score: number;
}

export interface SearcherState {
  strategy: string;
  space: string;
  rng: number;
  history: Scored[];
  /** How many of the `initial` architectures have been asked (absent in states written before they existed). */
  initialAsked?: number;
  /** Searcher-specific state (population, pending batch, …), plain JSON. */
  extra: unknown;
}

/** Tunables shared by the registry's factories; each searcher reads the ones it uses. */
export interface SearcherOptions {
  seed: number;
  /** evolution/genetic: population size. */
  population?: number;
  /** evolution: tournament sample size; genetic: tournament size. */
  tournament?: number;
  /** predictor/nao: number of random architectures evaluated before the first model is fit. */
  init?: number;
  /** predictor/nao: architectures evaluated per model update. */
  batch?: number;
  /** predictor/nao: Adam steps per model fit. */
  steps?: number;
  /**
   * Genotype keys asked first, in order, before the searcher's own proposals: known-good
   * architectures to start from, as AutoKeras's tuners start from their `initial_hps` (a plain CNN,
   * ResNet, Xception) before exploring. They are told like any other and so fill the first
   * population or generation (evolution, genetic) or count among the random ones (predictor, nao).
   */
  initial?: readonly string[];
}

export interface Searcher<G = Genotype> {
  readonly name: string;
  readonly space: SearchSpace<G>;
  /** Asynchronous: the model-based searchers read their model's predictions from the device. */
  ask(): Promise<G>;
  tell(g: G, score: number): void;
  /**
   * How many more candidates may be asked now while `pending` asked ones have no score yet
   * (Infinity: any number; a job queue uses this to keep generations and model batches whole).
   */
  capacity(pending: number): number;
  best(): { genotype: G; score: number } | null;
  history(): readonly Scored[];
  state(): SearcherState;
  restore(state: SearcherState): void;
}

/**
 * Shared bookkeeping: history, best-so-far, RNG, state round trip. Subclasses implement `propose`
 * and may react to results in `observe` and keep extra state.
 */
export abstract class BaseSearcher implements Searcher<Genotype> {
  protected rng: Rng;
  protected hist: Scored[] = [];
  private bestIdx = -1;
  private initialAsked = 0;

  constructor(
    readonly name: string,
    readonly space: SearchSpace<Genotype>,
    protected readonly opts: SearcherOptions,
  ) {
    this.rng = new Rng(opts.seed);
  }

  protected abstract propose(): Genotype | Promise<Genotype>;
  protected observe(key: string, score: number): void {
    void key;
    void score;
  }
  protected extraState(): unknown {
    return null;
  }
  protected loadExtra(extra: unknown): void {
    void extra;
  }

  async ask(): Promise<Genotype> {
    const initial = this.opts.initial ?? [];
    const g = this.initialAsked < initial.length ? this.space.fromKey(initial[this.initialAsked++]) : await this.propose();
    if (!this.space.isValid(g)) throw new Error(`${this.name} searcher proposed an invalid genotype ${JSON.stringify(g)}`);
    return g;
  }

  /** Asynchronous by default: a proposal needs only the scores told so far. */
  capacity(pending: number): number {
    void pending;
    return Infinity;
  }

  tell(g: Genotype, score: number): void {
    if (!Number.isFinite(score)) throw new Error(`${this.name}: score must be a finite number, got ${score}`);
    const key = this.space.key(g);
    this.hist.push({ key, score });
    if (this.bestIdx < 0 || score > this.hist[this.bestIdx].score) this.bestIdx = this.hist.length - 1;
    this.observe(key, score);
  }

  best(): { genotype: Genotype; score: number } | null {
    if (this.bestIdx < 0) return null;
    const b = this.hist[this.bestIdx];
    return { genotype: this.space.fromKey(b.key), score: b.score };
  }

  history(): readonly Scored[] {
    return this.hist;
  }

  /** Keys evaluated so far (for dedupe). */
  protected seen(): Set<string> {
    return new Set(this.hist.map((h) => h.key));
  }

  state(): SearcherState {
    return {
      strategy: this.name,
      space: this.space.name,
      rng: this.rng.state,
      history: this.hist.map((h) => ({ ...h })),
      initialAsked: this.initialAsked,
      extra: JSON.parse(JSON.stringify(this.extraState() ?? null)),
    };
  }

  restore(s: SearcherState): void {
    if (s.strategy !== this.name || s.space !== this.space.name) {
      throw new Error(`cannot restore a ${s.strategy}/${s.space} searcher state into ${this.name}/${this.space.name}`);
    }
    this.rng = Rng.fromState(s.rng);
    this.hist = s.history.map((h) => ({ ...h }));
    this.initialAsked = s.initialAsked ?? 0;
    this.bestIdx = -1;
    this.hist.forEach((h, i) => {
      if (this.bestIdx < 0 || h.score > this.hist[this.bestIdx].score) this.bestIdx = i;
    });
    this.loadExtra(s.extra);
  }
}

/** Top `n` entries of a history by score (stable: earlier first on ties). */
export function topK(hist: readonly Scored[], n: number): Scored[] {
  return hist
    .map((h, i) => ({ h, i }))
    .sort((a, b) => b.h.score - a.h.score || a.i - b.i)
    .slice(0, n)
    .map((x) => x.h);
}

/** A uniform sample not in `seen` (falls back to any sample after a few tries: the space may be tiny). */
export function uniqueSample(space: SearchSpace<Genotype>, rng: Rng, seen: Set<string>): Genotype {
  let g = space.sample(rng);
  for (let t = 0; t < 100 && seen.has(space.key(g)); t++) g = space.sample(rng);
  return g;
}

/**
 * The common loop of the model-based searchers (predictor, NAO): `init` distinct random
 * architectures, then batches of `batch` proposals that `nextBatch` picks with a model fit on the
 * history; the batch still to be evaluated is part of the state.
 */
export abstract class ModelBasedSearcher extends BaseSearcher {
  private pending: string[] = [];
  protected readonly init: number;
  protected readonly batch: number;

  constructor(name: string, space: SearchSpace<Genotype>, opts: SearcherOptions, defaults: { init: number; batch: number }) {
    super(name, space, opts);
    this.init = opts.init ?? defaults.init;
    this.batch = opts.batch ?? defaults.batch;
    if (!(this.init >= 2)) throw new UsageError(`--init: ${name} needs ≥ 2 random architectures before its first model fit, got ${this.init}`);
    if (!(this.batch >= 1)) throw new UsageError(`--batch: ${name} needs a batch ≥ 1, got ${this.batch}`);
  }

  /** Keys of the next architectures to evaluate (may be empty: then a random sample is used). */
  protected abstract nextBatch(): Promise<string[]>;

  /** The random phase, then each model batch, is asked whole; a model is fit only on every score of the batches before. */
  capacity(pending: number): number {
    if (this.hist.length + pending < this.init) return this.init - this.hist.length - pending;
    if (this.hist.length < this.init) return 0;
    if (this.pending.length > 0) return this.pending.length;
    return pending === 0 ? 1 : 0;
  }

  protected async propose(): Promise<Genotype> {
    if (this.hist.length < this.init) return uniqueSample(this.space, this.rng, this.seen());
    if (this.pending.length === 0) this.pending = await this.nextBatch();
    if (this.pending.length === 0) return this.space.sample(this.rng);
    return this.space.fromKey(this.pending.shift()!);
  }

  protected extraState(): unknown {
    return { pending: this.pending };
  }

  protected loadExtra(extra: unknown): void {
    this.pending = [...((extra as { pending: string[] }).pending ?? [])];
  }
}
