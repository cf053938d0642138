import fixtures from './nb101.fixtures.json';
import { Rng } from './rng';
import { nb101Check, nb101Hash, nb101HashPruned, nb101IsValid, nb101Prune, nb101Shape } from './nb101-spec';
import type { Nb101Genotype } from './genotype-types';

interface Fixture {
  note: string;
  matrix: number[][];
  ops: string[];
  valid: boolean;
  official_error?: string;
  pruned_matrix: number[][] | null;
  pruned_ops: string[] | null;
  hash: string | null;
}
// Produced by the official google-research/nasbench code: see _comment in the JSON file.
const SPECS = (fixtures as { specs: Fixture[] }).specs;

describe('NAS-Bench-101 cells against the official code (nb101.fixtures.json)', () => {
  it('has the cases the tests rely on', () => {
    expect(SPECS.length).toBeGreaterThan(50);
    expect(SPECS.filter((s) => s.valid).length).toBeGreaterThan(20);
    expect(SPECS.filter((s) => /isomorphic/.test(s.note)).length).toBeGreaterThan(3);
    expect(SPECS.filter((s) => s.pruned_matrix && s.pruned_matrix.length < s.matrix.length).length).toBeGreaterThan(5);
  });

  it.each(SPECS.map((s, i) => [i, s.note, s] as const))('#%i %s: pruning, validity and hash', (_i, _note, s) => {
    const p = nb101Prune(nb101Shape(s));
    expect(p?.matrix ?? null).toEqual(s.pruned_matrix);
    expect(p?.ops ?? null).toEqual(s.pruned_ops);
    expect(nb101IsValid(s)).toBe(s.valid);
    if (s.hash !== null) expect(nb101HashPruned(p!)).toBe(s.hash);
    if (s.valid) expect(nb101Hash(s)).toBe(s.hash);
  });

  it('isomorphic cells share the official hash', () => {
    const inception = SPECS.filter((s) => /Inception/.test(s.note)).map((s) => s.hash);
    expect(inception).toEqual(['28cfc7874f6d200472e1a9dcd8650aa0', '28cfc7874f6d200472e1a9dcd8650aa0']);
    const chains = SPECS.filter((s) => /^chain of five/.test(s.note)).map((s) => s.hash);
    expect(new Set(chains).size).toBe(2);
  });

  it('the hash is invariant under every topological relabelling of a random valid cell', () => {
    const rng = new Rng(5);
    const valid = SPECS.filter((s) => s.valid && s.matrix.length === 7);
    for (const s of valid.slice(0, 10)) {
      for (let t = 0; t < 20; t++) {
        const perm = [0, ...rng.shuffle([1, 2, 3, 4, 5]), 6];
        const inv = perm.map((_, k) => perm.indexOf(k));
        const m = inv.map((a) => inv.map((b) => s.matrix[a][b]));
        if (m.some((row, a) => row.some((x, b) => x && b <= a))) continue; // not upper-triangular: not a cell
        const g: Nb101Genotype = { matrix: m, ops: inv.map((v) => s.ops[v]) };
        expect(nb101Hash(g)).toBe(s.hash);
      }
    }
  });
});

describe('NAS-Bench-101 validity errors name the rule', () => {
  const base = () => ({ matrix: [[0, 1, 1], [0, 0, 1], [0, 0, 0]], ops: ['input', 'conv3x3-bn-relu', 'output'] });
  it.each([
    ['too many edges', SPECS.find((s) => /all 21/.test(s.note))!, /too many edges: 21 after pruning \(at most 9\)/],
    ['disconnected output', { matrix: [[0, 1, 0], [0, 0, 0], [0, 0, 0]], ops: ['input', 'conv3x3-bn-relu', 'output'] }, /not connected to the output/],
    ['unknown op', { ...base(), ops: ['input', 'conv5x5-bn-relu', 'output'] }, /ops\[1\]: unknown op "conv5x5-bn-relu"; expected one of conv3x3-bn-relu, conv1x1-bn-relu, maxpool3x3/],
    ['first op', { ...base(), ops: ['conv3x3-bn-relu', 'conv3x3-bn-relu', 'output'] }, /ops\[0\] must be "input"/],
    ['last op', { ...base(), ops: ['input', 'conv3x3-bn-relu', 'maxpool3x3'] }, /last op must be "output"/],
    ['lower triangle', { ...base(), matrix: [[0, 1, 1], [1, 0, 1], [0, 0, 0]] }, /upper triangular .* matrix\[1\]\[0\] = 1/],
    ['not 0/1', { ...base(), matrix: [[0, 2, 1], [0, 0, 1], [0, 0, 0]] }, /matrix\[0\]\[1\] = 2; entries must be 0 or 1/],
    ['ops length', { ...base(), ops: ['input', 'output'] }, /ops has 2 entries, but the matrix has 3 vertices/],
    ['not square', { ...base(), matrix: [[0, 1, 1], [0, 0], [0, 0, 0]] }, /row 1 has 2 entries, expected 3/],
    ['too many vertices', { matrix: Array.from({ length: 8 }, (_, i) => Array.from({ length: 8 }, (_, j) => (j === i + 1 ? 1 : 0))), ops: ['input', ...new Array(6).fill('conv3x3-bn-relu'), 'output'] }, /too many vertices: 8 after pruning \(at most 7/],
  ])('%s', (_name, spec, msg) => {
    expect(() => nb101Check(spec)).toThrow(msg);
  });
});
