import { badArgument } from '../io/errors';
import { Rng } from '../space/rng';

/**
 * Mixes integers into one 32-bit seed (murmur3-style finaliser per part), so that a stream can be
 * derived from (seed, epoch) or (seed, epoch, step) directly, without replaying earlier draws.
 */
export function mixSeed(...parts: number[]): number {
  let h = 0x811c9dc5;
  for (const p of parts) {
    let k = Math.imul((p >>> 0) ^ ((p / 2 ** 32) >>> 0), 0xcc9e2d51);
    k = Math.imul((k << 15) | (k >>> 17), 0x1b873593);
    h ^= k;
    h = Math.imul((h << 13) | (h >>> 19), 5) + 0xe6546b64;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

export interface SearchSplit {
  /** Indices into the training set used to train the network weights. */
  weights: Int32Array;
  /** Indices used to update the architecture parameters (DARTS's "valid_queue"). */
  arch: Int32Array;
}

/**
 * The DARTS search split (quark0/darts train_search.py): the training set only, cut into
 * `floor(portion * count)` images for the weights and the rest for the architecture; the test set
 * is never touched during search. DARTS takes the first and second halves of the file order; here
 * the cut is made on a permutation drawn from `seed`, so the split is deterministic per seed and
 * balanced even when the file order is not random. `seed = null` gives DARTS's exact contiguous
 * split. Both index lists are returned in ascending order (the loaders shuffle per epoch).
 */
export function searchSplit(count: number, portion: number, seed: number | null): SearchSplit {
  if (!Number.isInteger(count) || count < 2) badArgument('train-limit', 'at least 2 training images to split', count);
  if (!(portion > 0 && portion < 1)) badArgument('train-portion', 'a number strictly between 0 and 1', portion);
  const cut = Math.floor(portion * count);
  if (cut < 1 || cut >= count) {
    badArgument('train-portion', `a portion leaving at least one of ${count} images on each side`, portion);
  }
  const order = Int32Array.from({ length: count }, (_, i) => i);
  if (seed !== null) {
    const rng = new Rng(mixSeed(seed, 0x5eed));
    for (let i = count - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      const t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
  }
  return { weights: order.slice(0, cut).sort(), arch: order.slice(cut).sort() };
}
