import fixtures from '../space/nb101.fixtures.json';
import { runCli } from './test-utils/run-cli';

interface Fixture {
  note: string;
  matrix: number[][];
  ops: string[];
  valid: boolean;
  hash: string | null;
  pruned_matrix: number[][] | null;
}
// Hashes computed by the official google-research/nasbench code (see the fixture's _comment).
const SPECS = (fixtures as { specs: Fixture[] }).specs;
const spec = (s: Fixture) => JSON.stringify({ matrix: s.matrix, ops: s.ops });
const run = (...argv: string[]) => runCli(argv);

describe('tfnas export --space nb101', () => {
  it('--format hash prints the official module hash, one line', async () => {
    for (const s of SPECS.filter((x) => x.valid).slice(0, 8)) {
      const r = await run('export', '--space', 'nb101', '--genotype', spec(s), '--format', 'hash');
      expect(r).toMatchObject({ code: 0, out: `${s.hash}\n` });
    }
  });

  it('--format json writes the pruned cell; dot and svg draw it with its ops', async () => {
    const s = SPECS.find((x) => /needs pruning/.test(x.note))!;
    const json = await run('export', '--space', 'nb101', '--genotype', spec(s));
    expect(JSON.parse(json.out).matrix).toEqual(s.pruned_matrix);
    const dot = await run('export', '--genotype', spec(s), '--format', 'dot');
    expect(dot.out).toContain('[label="conv3x3-bn-relu", fillcolor=lightblue]');
    expect(dot.out.match(/->/g)!.length).toBe(s.pruned_matrix!.flat().filter((x) => x === 1).length);
    const svg = await run('export', '--genotype', spec(s), '--format', 'svg');
    expect(svg.out).toContain('<svg xmlns=');
    expect(svg.out).toContain('>conv1x1-bn-relu</text>');
  });

  it.each([
    ['too many edges', SPECS.find((x) => /all 21/.test(x.note))!, /too many edges: 21 after pruning \(at most 9\)/],
    ['a disconnected output', SPECS.find((x) => /output has no input/.test(x.note))!, /not connected to the output/],
    ['an unknown op', SPECS.find((x) => /unknown op/.test(x.note))!, /unknown op "conv5x5-bn-relu"/],
  ])('an invalid spec (%s) is an error naming the rule, exit code 2', async (_what, s, msg) => {
    const r = await run('export', '--space', 'nb101', '--genotype', spec(s), '--format', 'hash');
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toMatch(msg);
  });

  it('rejects --format hash outside nb101, a cell of another space, and bad JSON', async () => {
    const hash = await run('export', '--genotype', 'DARTS_V2', '--format', 'hash');
    expect(hash.err).toMatch(/--format hash: built-in DARTS_V2 is a DARTS-space genotype; the module hash exists only for NAS-Bench-101 cells/);
    const other = await run('export', '--space', 'nb101', '--genotype', 'DARTS_V2');
    expect(other.err).toMatch(/--space nb101: built-in DARTS_V2 is a DARTS-space genotype, not a NAS-Bench-101 cell/);
    const bad = await run('export', '--space', 'nb101', '--genotype', '{"matrix": [[0,1],');
    expect(bad.err).toMatch(/--genotype: not valid JSON/);
    expect([hash.code, other.code, bad.code]).toEqual([2, 2, 2]);
  });
});
