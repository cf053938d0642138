import { UsageError } from '../io/errors';
import { mixSeed, searchSplit } from './split';

describe('searchSplit (DARTS weights / architecture split)', () => {
  it('gives floor(portion * count) weight indices and the rest to the architecture, disjoint and complete', () => {
    const s = searchSplit(101, 0.5, 3);
    expect(s.weights.length).toBe(50);
    expect(s.arch.length).toBe(51);
    const all = new Set([...s.weights, ...s.arch]);
    expect(all.size).toBe(101);
    expect(Math.min(...all)).toBe(0);
    expect(Math.max(...all)).toBe(100);
    expect(Array.from(s.weights)).toEqual(Array.from(s.weights).sort((a, b) => a - b));
  });

  it('is deterministic per seed and differs between seeds', () => {
    expect(searchSplit(1000, 0.5, 7)).toEqual(searchSplit(1000, 0.5, 7));
    expect(Array.from(searchSplit(1000, 0.5, 7).weights)).not.toEqual(Array.from(searchSplit(1000, 0.5, 8).weights));
  });

  it('seed null is the exact DARTS split: first and second part of the file order', () => {
    const s = searchSplit(10, 0.7, null);
    expect(Array.from(s.weights)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(Array.from(s.arch)).toEqual([7, 8, 9]);
  });

  it('rejects portions that leave a side empty, with the argument name', () => {
    expect(() => searchSplit(10, 1, 0)).toThrow(UsageError);
    expect(() => searchSplit(10, 0, 0)).toThrow(/--train-portion/);
    expect(() => searchSplit(10, 0.05, 0)).toThrow(/at least one of 10 images on each side/);
    expect(() => searchSplit(1, 0.5, 0)).toThrow(/--train-limit/);
  });

  it('mixSeed separates nearby inputs', () => {
    const seen = new Set<number>();
    for (let e = 0; e < 50; e++) for (let s = 0; s < 50; s++) seen.add(mixSeed(1, e, s));
    expect(seen.size).toBe(2500);
    expect(mixSeed(1, 2)).not.toBe(mixSeed(2, 1));
  });
});
