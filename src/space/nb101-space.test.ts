import { Rng } from './rng';
import { NB101_SPACE } from './spaces';
import { nb101Hash, nb101IsValid, nb101Prune } from './nb101-spec';
import { NB101_EDGE_SLOTS, NB101_PATHS, nb101Crossover, nb101FromScores, nb101FromTokenScores, nb101Mutate, nb101Pad, nb101PathEncoding, nb101Sample, NB101_TOKEN_VOCAB } from './nb101-space';
import type { Nb101Genotype } from './genotype-types';

const C3 = 'conv3x3-bn-relu';
const C1 = 'conv1x1-bn-relu';
const MP = 'maxpool3x3';
const INCEPTION: Nb101Genotype = {
  matrix: [[0, 1, 1, 1, 0, 1, 0], [0, 0, 0, 0, 0, 0, 1], [0, 0, 0, 0, 0, 0, 1], [0, 0, 0, 0, 1, 0, 0], [0, 0, 0, 0, 0, 0, 1], [0, 0, 0, 0, 0, 0, 1], [0, 0, 0, 0, 0, 0, 0]],
  ops: ['input', C1, C3, C3, C3, MP, 'output'],
};

/** True if some single edge flip or op change of `g` gives a valid cell of another hash. */
function anotherArchitectureOneStepAway(g: Nb101Genotype): boolean {
  const h = nb101Hash(g);
  const differs = (c: Nb101Genotype) => nb101IsValid(c) && nb101Hash(c) !== h;
  const copy = () => ({ matrix: g.matrix.map((r) => r.slice()), ops: g.ops.slice() });
  for (const [a, b] of NB101_EDGE_SLOTS) {
    const c = copy();
    c.matrix[a][b] = 1 - c.matrix[a][b];
    if (differs(c)) return true;
  }
  for (let v = 1; v < 6; v++) {
    for (const op of [C3, C1, MP]) {
      const c = copy();
      c.ops[v] = op;
      if (differs(c)) return true;
    }
  }
  return false;
}

describe('NAS-Bench-101 space operations', () => {
  it('pads a small cell to 7 vertices without changing the architecture', () => {
    const g = { matrix: [[0, 1, 1], [0, 0, 1], [0, 0, 0]], ops: ['input', MP, 'output'] };
    const p = nb101Pad(g);
    expect(p.ops.length).toBe(7);
    expect(nb101Hash(p)).toBe(nb101Hash(g));
    expect(nb101Prune(p)).toEqual(g);
  });

  it('path encoding: one feature per input→output op sequence (BANANAS), 364 of them', () => {
    expect(NB101_PATHS).toBe(364);
    const v = nb101PathEncoding(INCEPTION);
    expect(v.length).toBe(364);
    // Paths: conv1x1 (index 2), conv3x3 (1), conv3x3→conv3x3 (1 + 3·1 = 4), maxpool (3).
    expect(v.flatMap((x, i) => (x ? [i] : []))).toEqual([1, 2, 3, 4]);
    // The direct input→output edge is the empty path, index 0.
    expect(nb101PathEncoding({ matrix: [[0, 1], [0, 0]], ops: ['input', 'output'] })[0]).toBe(1);
    // Isomorphic cells encode the same.
    expect(nb101PathEncoding(nb101Pad(INCEPTION))).toEqual(v);
  });

  it('mutation flips one edge or changes one op, and gives a valid cell of another hash', () => {
    const rng = new Rng(4);
    let flips = 0;
    let opChanges = 0;
    for (let i = 0; i < 300; i++) {
      const g = nb101Sample(rng);
      const m = nb101Mutate(g, rng);
      expect(nb101IsValid(m)).toBe(true);
      if (nb101Hash(m) === nb101Hash(g)) expect(anotherArchitectureOneStepAway(g)).toBe(false);
      const edges = NB101_EDGE_SLOTS.filter(([a, b]) => g.matrix[a][b] !== m.matrix[a][b]).length;
      const ops = g.ops.filter((op, v) => op !== m.ops[v]).length;
      expect(edges + ops).toBe(1);
      if (edges) flips++;
      else opChanges++;
    }
    expect(flips).toBeGreaterThan(50);
    expect(opChanges).toBeGreaterThan(50);
  });

  it('crossover takes every entry from one of the parents and stays valid', () => {
    const rng = new Rng(8);
    for (let i = 0; i < 100; i++) {
      const [a, b] = [nb101Sample(rng), nb101Sample(rng)];
      const c = nb101Crossover(a, b, rng);
      expect(nb101IsValid(c)).toBe(true);
      for (const [x, y] of NB101_EDGE_SLOTS) expect([a.matrix[x][y], b.matrix[x][y]]).toContain(c.matrix[x][y]);
      c.ops.forEach((op, v) => expect([a.ops[v], b.ops[v]]).toContain(op));
    }
  });

  it('scores that ask for an invalid cell are repaired to the best valid one', () => {
    // Every edge wanted (21 > 9 edges): the best path plus the strongest edges that keep ≤ 9.
    const all = nb101FromScores(NB101_EDGE_SLOTS.map((_, e) => 1 + e / 100), [C3, C3, C3, C3, C3]);
    expect(nb101IsValid(all)).toBe(true);
    // Nothing wanted: the best (least bad) input→output path, here the direct edge.
    const none = nb101FromScores(NB101_EDGE_SLOTS.map(([a, b]) => (a === 0 && b === 6 ? -0.1 : -1)), [C3, C1, MP, C3, C3]);
    expect(nb101Prune(none)).toEqual({ matrix: [[0, 1], [0, 0]], ops: ['input', 'output'] });
    // Token scores: one-hot of a cell's tokens decode to that cell.
    const tokens = NB101_SPACE.tokens(INCEPTION);
    const onehot = tokens.map((t, p) => Array.from({ length: NB101_TOKEN_VOCAB[p] }, (_, k) => (k === t ? 1 : 0)));
    expect(NB101_SPACE.key(nb101FromTokenScores(onehot))).toBe(NB101_SPACE.key(INCEPTION));
  });

  it('samples like the official notebook: every op and edge slot used, all valid', () => {
    const rng = new Rng(1);
    const ops = new Set<string>();
    let edges = 0;
    for (let i = 0; i < 200; i++) {
      const g = nb101Sample(rng);
      g.ops.forEach((o) => ops.add(o));
      edges += g.matrix.flat().reduce((a, x) => a + x, 0);
    }
    expect([...ops].sort()).toEqual(['conv1x1-bn-relu', 'conv3x3-bn-relu', 'input', 'maxpool3x3', 'output']);
    // Valid cells have ≤ 9 edges once pruned, so the raw 7×7 matrices hold fewer than 21/2 on average.
    expect(edges / 200).toBeLessThan(10.5);
  });
});
