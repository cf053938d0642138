/**
 * The shared suite every registered searcher passes, on both spaces: seeded reproducibility, valid
 * genotypes only, best() never gets worse, resume equivalence, no tensor leaks.
 */
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../../backend';
import { SPACE_NAMES, getSpace, type Genotype } from '../../space/spaces';
import { SEARCHER_NAMES, makeSearcher, restoreSearcher } from './registry';
import type { Searcher, SearcherOptions, SearcherState } from './searcher';
import { syntheticScore } from '../test-utils/synthetic';
import { Rng } from '../../space/rng';

// Small model-based settings so each case fits several model rounds into few queries.
const OPTS: Omit<SearcherOptions, 'seed'> = { init: 4, batch: 3, population: 5, tournament: 2, steps: 10 };

async function drive(s: Searcher<Genotype>, score: (g: Genotype) => number, n: number): Promise<string[]> {
  const keys: string[] = [];
  for (let i = 0; i < n; i++) {
    const g = await s.ask();
    keys.push(s.space.key(g));
    s.tell(g, score(g));
  }
  return keys;
}

beforeAll(async () => {
  await useBackend('wasm');
});

describe.each(SEARCHER_NAMES)('searcher %s', (name) => {
  describe.each(SPACE_NAMES)('on %s', (spaceName) => {
    const space = getSpace(spaceName);
    const score = syntheticScore(space);
    const N = 16;

    it('is reproducible per seed, and different seeds differ', async () => {
      const a = await drive(makeSearcher(name, space, { seed: 3, ...OPTS }), score, N);
      const b = await drive(makeSearcher(name, space, { seed: 3, ...OPTS }), score, N);
      const c = await drive(makeSearcher(name, space, { seed: 4, ...OPTS }), score, N);
      expect(b).toEqual(a);
      expect(c).not.toEqual(a);
    });

    it('proposes only valid genotypes, best() never gets worse, and no tensors leak', async () => {
      const s = makeSearcher(name, space, { seed: 5, ...OPTS });
      expect(s.best()).toBeNull();
      const before = tf.memory().numTensors;
      let prev = -Infinity;
      let max = -Infinity;
      for (let i = 0; i < N; i++) {
        const g = await s.ask();
        expect(space.isValid(g)).toBe(true);
        const v = score(g);
        s.tell(g, v);
        max = Math.max(max, v);
        const b = s.best()!;
        expect(b.score).toBeGreaterThanOrEqual(prev);
        expect(b.score).toBe(max);
        expect(score(b.genotype)).toBe(b.score);
        prev = b.score;
      }
      expect(tf.memory().numTensors).toBe(before);
      expect(s.history().length).toBe(N);
    });

    it('resumes from a checkpointed state with the same continuation', async () => {
      const a = makeSearcher(name, space, { seed: 9, ...OPTS });
      // Stop mid-batch (init 4 + 3 per batch: 9 is inside the second model batch).
      await drive(a, score, 9);
      const saved = JSON.parse(JSON.stringify(a.state())) as SearcherState;
      const b = restoreSearcher(saved, space, { seed: 12345, ...OPTS });
      expect(b.best()).toEqual(a.best());
      expect(await drive(b, score, 7)).toEqual(await drive(a, score, 7));
      expect(b.state()).toEqual(a.state());
    });

    it('asks the initial architectures first, in order, also across a resume, then explores from them', async () => {
      const seeds = [space.key(space.sample(new Rng(101))), space.key(space.sample(new Rng(102))), space.key(space.sample(new Rng(103)))];
      const opts = { seed: 7, ...OPTS, initial: seeds };
      const a = makeSearcher(name, space, opts);
      expect(await drive(a, score, 2)).toEqual(seeds.slice(0, 2));
      const b = restoreSearcher(JSON.parse(JSON.stringify(a.state())) as SearcherState, space, opts);
      expect(await drive(b, score, 1)).toEqual(seeds.slice(2));
      const rest = await drive(b, score, 10);
      expect(rest).toEqual(await drive(a, score, 11).then((k) => k.slice(1)));
      // The seeds were told like any other proposal: the best is among everything asked.
      expect([...seeds, ...rest]).toContain(space.key(b.best()!.genotype));
    });
  });
});

describe('searcher state', () => {
  it('refuses a state of another strategy or space', () => {
    const s = makeSearcher('random', getSpace('nb201'), { seed: 1 });
    const st = makeSearcher('evolution', getSpace('nb201'), { seed: 1 }).state();
    expect(() => s.restore(st)).toThrow(/cannot restore a evolution\/nb201 searcher state into random\/nb201/);
  });

  it('rejects non-finite scores', async () => {
    const s = makeSearcher('random', getSpace('nb201'), { seed: 1 });
    const g = await s.ask();
    expect(() => s.tell(g, NaN)).toThrow(/finite/);
  });

  it('evolution keeps the paper settings by default and mutates the tournament winner', async () => {
    const space = getSpace('nb201');
    const s = makeSearcher('evolution', space, { seed: 2 });
    const score = syntheticScore(space);
    const keys = await drive(s, score, 30);
    const pop = (s.state().extra as { population: { key: string }[] }).population;
    expect(pop.length).toBe(10);
    // Population = the 10 most recent (aging), and every child is one op away from a member of the
    // population it was bred from (the 10 architectures told before it).
    expect(pop.map((p) => p.key)).toEqual(keys.slice(-10));
    const ops = (k: string) => space.fromKey(k) as { ops: string[] };
    for (let i = 10; i < keys.length; i++) {
      const child = ops(keys[i]).ops;
      const parents = keys.slice(i - 10, i).filter((k) => ops(k).ops.filter((op, e) => op !== child[e]).length === 1);
      expect(parents.length).toBeGreaterThan(0);
    }
  });
});
