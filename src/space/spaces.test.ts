import { Rng } from './rng';
import { SPACES, SPACE_NAMES, getSpace } from './spaces';
import { NB201_PRIMITIVES } from './primitives';
import {
  NB201_SPACE_SIZE,
  nb201Decode,
  nb201Encode,
  nb201FromOrdinal,
  nb201FromString,
  nb201Ordinal,
  nb201ToString,
} from './nb201-space';
import { DARTS_CELL_OPS, dartsCanonical, dartsDecode, dartsEncode, dartsFromKey, dartsIsValid, dartsToKey } from './darts-space';
import type { DartsGenotype } from './genotype-types';

const BEST_CELL = '|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|';

describe('NAS-Bench-201 cell strings', () => {
  it('parses and prints the benchmark format', () => {
    const g = nb201FromString(BEST_CELL);
    expect(g.ops).toEqual(['nor_conv_3x3', 'nor_conv_3x3', 'nor_conv_3x3', 'skip_connect', 'nor_conv_3x3', 'nor_conv_3x3']);
    expect(nb201ToString(g)).toBe(BEST_CELL);
  });

  it.each([
    ['|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|', /3 nodes/],
    ['|conv_7x7~0|+|none~0|none~1|+|none~0|none~1|none~2|', /unknown op "conv_7x7"/],
    ['|none~1|+|none~0|none~1|+|none~0|none~1|none~2|', /node 1 entry none~1: input 1 is out of range \(node 1 takes inputs 0\.\.0\)/],
    ['|none~0|+|none~0|+|none~0|none~1|none~2|', /node 2 needs 2 edges/],
  ])('rejects %s', (s, msg) => {
    expect(() => nb201FromString(s)).toThrow(msg);
  });

  it('ordinals enumerate all 5^6 cells exactly once', () => {
    const seen = new Set<string>();
    const wrong: number[] = [];
    for (let i = 0; i < NB201_SPACE_SIZE; i++) {
      const g = nb201FromOrdinal(i);
      if (nb201Ordinal(g) !== i) wrong.push(i);
      seen.add(nb201ToString(g));
    }
    expect(wrong).toEqual([]);
    expect(seen.size).toBe(15625);
  });
});

describe.each(SPACE_NAMES)('space %s', (name) => {
  const space = getSpace(name);

  it('samples valid genotypes, reproducibly per seed', () => {
    const a = new Rng(7);
    const b = new Rng(7);
    for (let i = 0; i < 200; i++) {
      const g = space.sample(a);
      expect(space.isValid(g)).toBe(true);
      expect(space.key(space.sample(b))).toBe(space.key(g));
    }
  });

  it('key, encoding and token sequence round-trip', () => {
    const rng = new Rng(1);
    for (let i = 0; i < 200; i++) {
      const g = space.sample(rng);
      const key = space.key(g);
      expect(space.key(space.fromKey(key))).toBe(key);
      expect(space.key(space.decode(space.encode(g)))).toBe(key);
      const tokens = space.tokens(g);
      expect(tokens.length).toBe(space.tokenVocab.length);
      tokens.forEach((t, p) => expect(t).toBeLessThan(space.tokenVocab[p]));
      const oneHot = tokens.map((t, p) => Array.from({ length: space.tokenVocab[p] }, (_, v) => (v === t ? 1 : 0)));
      expect(space.key(space.fromTokenScores(oneHot))).toBe(key);
    }
  });

  it('decodes arbitrary scores to valid genotypes', () => {
    const rng = new Rng(2);
    for (let i = 0; i < 100; i++) {
      const scores = space.tokenVocab.map((v) => Array.from({ length: v }, () => rng.next()));
      expect(space.isValid(space.fromTokenScores(scores))).toBe(true);
      const dim = space.encode(space.sample(rng)).length;
      expect(space.isValid(space.decode(Array.from({ length: dim }, () => rng.next())))).toBe(true);
    }
  });

  it('mutation changes the architecture by one edge; crossover mixes the parents', () => {
    const rng = new Rng(3);
    for (let i = 0; i < 200; i++) {
      const a = space.sample(rng);
      const m = space.mutate(a, rng);
      expect(space.isValid(m)).toBe(true);
      const ea = space.encode(a);
      const em = space.encode(m);
      const diff = ea.reduce((n, x, k) => n + (x !== em[k] ? 1 : 0), 0);
      // One op (or, in darts, one input) moved: one slot off, one on; nb101 may instead flip one edge bit;
      // macro changes one setting or adds or removes a block or stage (several slots), never nothing.
      if (name === 'macro') expect(space.key(m)).not.toBe(space.key(a));
      else expect(name === 'nb101' ? [1, 2] : [2]).toContain(diff);
      const b = space.sample(rng);
      const c = space.crossover(a, b, rng);
      expect(space.isValid(c)).toBe(true);
      const eb = space.encode(b);
      space.encode(c).forEach((x, k) => {
        if (x === 1) expect(ea[k] === 1 || eb[k] === 1).toBe(true);
      });
    }
  });
});

describe('NAS-Bench-201 sampling', () => {
  it('is uniform over ops on every edge', () => {
    const rng = new Rng(11);
    const counts = Array.from({ length: 6 }, () => new Array(5).fill(0));
    const n = 5000;
    for (let i = 0; i < n; i++) SPACES.nb201.sample(rng).ops.forEach((op, e) => counts[e][(NB201_PRIMITIVES as readonly string[]).indexOf(op)]++);
    for (const row of counts) for (const c of row) expect(Math.abs(c / n - 0.2)).toBeLessThan(0.03);
  });

  it('one-hot encoding is 6×5 and decodes back', () => {
    const g = nb201FromString(BEST_CELL);
    const v = nb201Encode(g);
    expect(v.length).toBe(30);
    expect(v.filter((x) => x === 1).length).toBe(6);
    expect(nb201ToString(nb201Decode(v))).toBe(BEST_CELL);
  });
});

describe('DARTS space', () => {
  const dartsV2: DartsGenotype = {
    normal: [['sep_conv_3x3', 0], ['sep_conv_3x3', 1], ['sep_conv_3x3', 0], ['sep_conv_3x3', 1], ['sep_conv_3x3', 1], ['skip_connect', 0], ['skip_connect', 0], ['dil_conv_3x3', 2]],
    normal_concat: [2, 3, 4, 5],
    reduce: [['max_pool_3x3', 0], ['max_pool_3x3', 1], ['skip_connect', 2], ['max_pool_3x3', 1], ['max_pool_3x3', 0], ['skip_connect', 2], ['skip_connect', 2], ['max_pool_3x3', 1]],
    reduce_concat: [2, 3, 4, 5],
  };

  it('accepts the reference DARTS_V2 genotype and keys it canonically', () => {
    expect(dartsIsValid(dartsV2)).toBe(true);
    const key = dartsToKey(dartsV2);
    expect(key.startsWith('normal=sep_conv_3x3~0,sep_conv_3x3~1,')).toBe(true);
    expect(dartsToKey(dartsFromKey(key))).toBe(key);
    expect(dartsToKey(dartsDecode(dartsEncode(dartsV2)))).toBe(key);
    expect(dartsCanonical(dartsV2).normal[4]).toEqual(['skip_connect', 0]);
  });

  it('rejects none ops, repeated inputs and inputs from later nodes', () => {
    const bad = (edit: (g: DartsGenotype) => void) => {
      const g = JSON.parse(JSON.stringify(dartsV2)) as DartsGenotype;
      edit(g);
      return dartsIsValid(g);
    };
    expect(bad((g) => (g.normal[0] = ['none', 0]))).toBe(false);
    expect(bad((g) => (g.normal[1] = ['sep_conv_3x3', 0]))).toBe(false);
    expect(bad((g) => (g.reduce[2] = ['skip_connect', 3]))).toBe(false);
    expect(DARTS_CELL_OPS).not.toContain('none');
  });
});
