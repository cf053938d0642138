import type { DartsGenotype, Nb201Genotype } from '../../space/genotype-types';

/**
 * Collapse guards (pure): how far a derived cell has drifted toward parameter-free ops, and how
 * decided α is. DARTS's failure mode is a normal cell of skip connections (Zela et al. 2020; Chu et
 * al. DARTS-; DARTS+ stops when the normal cell holds two or more).
 */
const PARAM_FREE = new Set(['none', 'skip_connect', 'max_pool_3x3', 'avg_pool_3x3']);

export interface CollapseFigures {
  /** Skip connections in the derived normal cell (NB201: the cell). */
  skips: number;
  /** Parameter-free ops (skip, pools, none) in it. */
  param_free: number;
  /** Mean entropy of softmax(α) over every edge (nats; ln(ops) when undecided, 0 when one-hot). */
  alpha_entropy: number;
}

/** The ops of the normal cell of either space's genotype. */
export function normalOps(g: DartsGenotype | Nb201Genotype): string[] {
  return 'ops' in g ? g.ops : g.normal.map(([op]) => op);
}

export function meanEdgeEntropy(weights: Record<string, number[][]>): number {
  const rows = Object.values(weights).flat();
  const h = rows.map((r) => -r.reduce((s, p) => s + (p > 0 ? p * Math.log(p) : 0), 0));
  return h.reduce((a, b) => a + b, 0) / Math.max(1, h.length);
}

/** The figures of a derived cell and the softmax(α) it came from. */
export function collapseFigures(g: DartsGenotype | Nb201Genotype, weights: Record<string, number[][]>): CollapseFigures {
  const ops = normalOps(g);
  return {
    skips: ops.filter((o) => o === 'skip_connect').length,
    param_free: ops.filter((o) => PARAM_FREE.has(o)).length,
    alpha_entropy: Number(meanEdgeEntropy(weights).toPrecision(6)),
  };
}

/** A derived cell as the guard keeps it (files.ts Derived, plus the epochs finished when derived). */
export interface KeptCell<D> {
  derived: D;
  /** Epochs finished when it was derived (0: before training). */
  epoch: number;
}

/**
 * `--max-skip K`: remembers the last cell with at most K skip connections in its normal cell; with
 * `stop`, ends the search at the first epoch past K (DARTS+, Liang et al. 2019, whose criterion
 * "two or more skips" is K = 1). Its state goes into the checkpoint, so a resumed run agrees.
 */
export class SkipGuard<D extends { genotype: DartsGenotype | Nb201Genotype }> {
  kept: KeptCell<D> | null = null;
  stopped = false;

  constructor(private readonly maxSkip: number | null, private readonly action: 'stop' | 'keep') {}

  /** Records the cell derived after `epochsDone` epochs (0: the initial α, which never stops a search). */
  observe(derived: D, epochsDone: number): void {
    if (this.maxSkip === null) return;
    const skips = normalOps(derived.genotype).filter((o) => o === 'skip_connect').length;
    if (skips <= this.maxSkip) this.kept = { derived, epoch: epochsDone };
    else if (this.action === 'stop' && epochsDone > 0) this.stopped = true;
  }

  /** The search's result: the kept cell when guarding (the last one when none qualified). */
  result(last: D): D {
    return this.maxSkip !== null && this.kept ? this.kept.derived : last;
  }

  state(): { kept: KeptCell<D> | null; stopped: boolean } {
    return { kept: this.kept, stopped: this.stopped };
  }

  load(s: { kept?: KeptCell<D> | null; stopped?: boolean } | undefined): void {
    this.kept = s?.kept ?? null;
    this.stopped = s?.stopped ?? false;
  }
}
