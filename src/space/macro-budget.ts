/**
 * A compute budget on the macro space: only chains of at most `maxMacs` multiply-accumulates per
 * 32×32 RGB image (the reference shape; CIFAR-10's) are sampled, bred or decoded, so that every
 * searcher spends its trials on networks the machine can train in the time given, instead of
 * scoring infeasible ones (a hard constraint, as MnasNet's latency target is when its weight is
 * −∞). Pure: no tensors.
 */
import type { Rng } from './rng';
import { MACRO_FILTERS, MACRO_KERNELS, macroMacs, type MacroGenotype } from './macro-space';

/** The shape and class count the budget is measured on. */
export const MACRO_BUDGET_SHAPE = [32, 32, 3] as const;
export const MACRO_BUDGET_CLASSES = 10;

export const macroCost = (g: MacroGenotype): number => macroMacs(g, MACRO_BUDGET_SHAPE, MACRO_BUDGET_CLASSES);

/**
 * Cheapens a genotype until it fits, one step at a time and deterministically: the widest block
 * one filter size down, else the largest kernel one size down, else a full convolution made
 * separable, else the dense head one size down, else the last block (of a stage with several)
 * dropped, else the first stage without pooling pooled. Returns the cheapest it reaches.
 */
export function macroShrink(g: MacroGenotype, maxMacs: number): MacroGenotype {
  const out: MacroGenotype = { ...g, stages: g.stages.map((s) => ({ pool: s.pool, blocks: s.blocks.map((b) => ({ ...b })) })) };
  const blocks = () => out.stages.flatMap((s) => s.blocks);
  while (macroCost(out) > maxMacs) {
    const wide = blocks().filter((b) => b.filters > MACRO_FILTERS[0]).sort((a, b) => b.filters - a.filters)[0];
    if (wide) {
      wide.filters = MACRO_FILTERS[MACRO_FILTERS.indexOf(wide.filters) - 1];
      continue;
    }
    const big = blocks().filter((b) => b.kernel > MACRO_KERNELS[0]).sort((a, b) => b.kernel - a.kernel)[0];
    if (big) {
      big.kernel = MACRO_KERNELS[MACRO_KERNELS.indexOf(big.kernel) - 1];
      continue;
    }
    const full = blocks().find((b) => !b.separable);
    if (full) {
      full.separable = true;
      continue;
    }
    const stage = [...out.stages].reverse().find((s) => s.blocks.length > 1);
    if (stage) {
      stage.blocks.pop();
      continue;
    }
    const unpooled = out.stages.find((s) => s.pool === 'none');
    if (unpooled) {
      unpooled.pool = 'max';
      continue;
    }
    if (out.stages.length > 1) {
      out.stages.pop();
      continue;
    }
    break; // one separable 3×3 block of 16 filters: the cheapest chain there is
  }
  return out;
}

/** Draws with `draw` until a genotype fits (up to `tries` times), else shrinks the last draw. */
export function withinBudget(draw: () => MacroGenotype, maxMacs: number, tries = 50): MacroGenotype {
  let g = draw();
  for (let i = 1; i < tries && macroCost(g) > maxMacs; i++) g = draw();
  return macroCost(g) > maxMacs ? macroShrink(g, maxMacs) : g;
}

/** The sampling and breeding of the macro space under a budget (see spaces.ts `macroSpaceWithin`). */
export function budgeted(maxMacs: number, ops: { sample(rng: Rng): MacroGenotype; mutate(g: MacroGenotype, rng: Rng): MacroGenotype; crossover(a: MacroGenotype, b: MacroGenotype, rng: Rng): MacroGenotype }) {
  return {
    sample: (rng: Rng) => withinBudget(() => ops.sample(rng), maxMacs),
    mutate: (g: MacroGenotype, rng: Rng) => withinBudget(() => ops.mutate(g, rng), maxMacs, 20),
    crossover: (a: MacroGenotype, b: MacroGenotype, rng: Rng) => withinBudget(() => ops.crossover(a, b, rng), maxMacs, 20),
  };
}
