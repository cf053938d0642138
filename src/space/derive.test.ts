import * as fs from 'fs';
import * as path from 'path';
import { builtinGenotype, BUILTIN_GENOTYPE_NAMES } from './builtin-genotypes';
import { deriveDartsCell, deriveDartsGenotype, deriveNb201Genotype, softmax } from './derive';
import type { GenotypeEdge } from './genotype-types';
import { DARTS_PRIMITIVES, NB201_PRIMITIVES } from './primitives';

const OPS = DARTS_PRIMITIVES as readonly string[];

/** A weight row: `base` everywhere, then the given ops set. */
function row(set: Partial<Record<string, number>>, base = 0.01, prims: readonly string[] = OPS): number[] {
  return prims.map((op) => set[op] ?? base);
}

describe('softmax', () => {
  it('normalises every row and is stable for large logits', () => {
    const s = softmax([
      [0, Math.log(3)],
      [1000, 1000, 1000, 1000],
    ]);
    expect(s[0][0]).toBeCloseTo(0.25, 12);
    expect(s[0][1]).toBeCloseTo(0.75, 12);
    expect(s[1]).toEqual([0.25, 0.25, 0.25, 0.25]);
  });
});

describe('deriveDartsCell', () => {
  it('keeps the two strongest non-none edges per node, strongest first, ties to the lower input', () => {
    const w: number[][] = [
      // node 0: edge 0 is dominated by none, which must not count; edge 1 wins with max_pool
      row({ none: 0.9, sep_conv_5x5: 0.04 }),
      row({ none: 0.1, max_pool_3x3: 0.5 }),
      // node 1: three identical rows -> inputs 0 and 1, first non-none op
      row({}), row({}), row({}),
      // node 2: input 3 strongest (dil_conv_5x5), then input 1 (skip_connect)
      row({ avg_pool_3x3: 0.2 }), row({ skip_connect: 0.3 }), row({ sep_conv_3x3: 0.1 }), row({ dil_conv_5x5: 0.6 }),
      // node 3: input 3 has a tie between sep_conv_3x3 and sep_conv_5x5 -> the first column wins
      row({ none: 0.99 }), row({ max_pool_3x3: 0.2 }), row({ skip_connect: 0.1 }), row({ sep_conv_3x3: 0.4, sep_conv_5x5: 0.4 }), row({ dil_conv_3x3: 0.3 }),
    ];
    expect(deriveDartsCell(w)).toEqual([
      ['max_pool_3x3', 1], ['sep_conv_5x5', 0],
      ['max_pool_3x3', 0], ['max_pool_3x3', 1],
      ['dil_conv_5x5', 3], ['skip_connect', 1],
      ['sep_conv_3x3', 3], ['dil_conv_3x3', 4],
    ]);
  });

  it('agrees with the reference _parse on random weights, including ties', () => {
    const fx = JSON.parse(fs.readFileSync(path.join(__dirname, 'derive.fixtures.json'), 'utf8')) as {
      cases: { weights: number[][]; expected: GenotypeEdge[] }[];
    };
    expect(fx.cases.length).toBe(4);
    for (const c of fx.cases) expect(deriveDartsCell(c.weights)).toEqual(c.expected);
  });

  it('recovers every built-in genotype from weights that encode it', () => {
    // Edge 2i of a node gets weight 0.6 and edge 2i+1 0.5, so the reference order is the strength order.
    const encode = (edges: GenotypeEdge[]): number[][] => {
      const w: number[][] = [];
      for (let i = 0; i < 4; i++) {
        for (let j = 0; j < i + 2; j++) {
          const k = [2 * i, 2 * i + 1].find((e) => edges[e][1] === j);
          w.push(k === undefined ? row({ none: 0.8 }, 0.02) : row({ none: 0.9, [edges[k][0]]: k % 2 ? 0.5 : 0.6 }, 0.02));
        }
      }
      return w;
    };
    for (const name of BUILTIN_GENOTYPE_NAMES) {
      const g = builtinGenotype(name)!;
      expect(deriveDartsGenotype(encode(g.normal), encode(g.reduce))).toEqual(g);
    }
  });

  it('rejects weights of the wrong shape or non-finite values', () => {
    expect(() => deriveDartsCell([row({})])).toThrow('expected 14 rows');
    const w = Array.from({ length: 14 }, () => row({}));
    w[3] = w[3].slice(1);
    expect(() => deriveDartsCell(w)).toThrow('row 3 has 7 entries, expected 8');
    w[3] = row({ skip_connect: NaN });
    expect(() => deriveDartsCell(w)).toThrow('entry [3][3] is NaN');
  });

  it('follows steps and multiplier', () => {
    const w = Array.from({ length: 5 }, () => row({}));
    const g = deriveDartsGenotype(w, w, { steps: 2, multiplier: 1 });
    expect(g.normal).toHaveLength(4);
    expect(g.normal_concat).toEqual([3]);
    expect(deriveDartsGenotype(Array.from({ length: 14 }, () => row({})), Array.from({ length: 14 }, () => row({}))).reduce_concat).toEqual([2, 3, 4, 5]);
    expect(() => deriveDartsGenotype(w, w, { steps: 2, multiplier: 3 })).toThrow('multiplier');
  });
});

describe('deriveNb201Genotype', () => {
  const P = NB201_PRIMITIVES as readonly string[];
  it('takes the argmax of every edge, none included (as the reference), ties to the first op', () => {
    const w = [
      row({ none: 0.5, skip_connect: 0.2 }, 0.1, P),
      row({ nor_conv_3x3: 0.4 }, 0.1, P),
      row({ avg_pool_3x3: 0.7 }, 0.1, P),
      row({ skip_connect: 0.3, nor_conv_1x1: 0.3 }, 0.1, P),
      row({}, 0.2, P),
      row({ nor_conv_1x1: 0.9 }, 0.0, P),
    ];
    expect(deriveNb201Genotype(w).ops).toEqual(['none', 'nor_conv_3x3', 'avg_pool_3x3', 'skip_connect', 'none', 'nor_conv_1x1']);
    expect(deriveNb201Genotype(w, { excludeNone: true }).ops).toEqual(['skip_connect', 'nor_conv_3x3', 'avg_pool_3x3', 'skip_connect', 'skip_connect', 'nor_conv_1x1']);
    // argmax is invariant under the row softmax
    expect(deriveNb201Genotype(softmax(w))).toEqual(deriveNb201Genotype(w));
  });

  it('rejects the wrong shape', () => {
    expect(() => deriveNb201Genotype([[1, 2, 3, 4, 5]])).toThrow('expected 6 rows');
  });
});
