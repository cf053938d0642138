/**
 * `tfnas bench nb101` on generated tables (the official file cannot be downloaded here): every
 * strategy in-process on a table that knows every cell, then the command itself on a TFRecord file
 * in the official format holding exactly the cells those runs query.
 */
import * as fs from 'fs';
import * as path from 'path';
import { useBackend } from '../backend';
import type { Nb101Genotype } from '../space/genotype-types';
import { nb101Check, nb101HashPruned } from '../space/nb101-spec';
import type { Genotype } from '../space/spaces';
import { formatBenchTable, meanStd, NB101_PAPER_150, runBench } from '../search/bench';
import { Nb101Evaluator } from '../search/evaluators/nb101-evaluator';
import { SEARCHER_NAMES } from '../search/blackbox/registry';
import { SYNTHETIC_NB101, writeNb101TfRecord } from '../search/test-utils/nb101';
import { tmpDir } from '../search/test-utils/synthetic';
import { runCli } from './test-utils/run-cli';

/** The nb101 evaluator on the generated table, keeping every cell it was asked about. */
class Recording extends Nb101Evaluator {
  static cells = new Map<string, Nb101Genotype>();
  lookup(g: Genotype, query?: number) {
    const p = nb101Check(g);
    Recording.cells.set(nb101HashPruned(p), p);
    return super.lookup(g, query);
  }
}

const dir = tmpDir('bench-nb101');
beforeAll(() => useBackend('wasm'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('NAS-Bench-101 bench', () => {
  it('runs every strategy over seeds; the table sits beside the published numbers', async () => {
    const { rows, runs } = await runBench({ strategies: [...SEARCHER_NAMES], runs: 2, budget: 12, seed: 0, space: 'nb101', newEvaluator: (s) => new Nb101Evaluator(SYNTHETIC_NB101, 'random-run', s), outDir: path.join(dir, 'all'), quiet: true });
    expect(rows.map((r) => r.strategy)).toEqual([...SEARCHER_NAMES]);
    expect(runs.length).toBe(2 * SEARCHER_NAMES.length);
    rows.forEach((r, k) => expect(r.mean).toBeCloseTo(meanStd(runs.slice(2 * k, 2 * k + 2).map((x) => x.test)).mean, 10));
    const text = formatBenchTable(rows, NB101_PAPER_150, 'BANANAS paper, 150 queries', 95);
    expect(text).toMatch(/\| random \| 2 \| 12 \| [\d.]+ ± [\d.]+ \| .* \| 93\.66 \|/);
    expect(text).toMatch(/\| evolution \|.*\| 93\.89 \(REA\) \|/);
    expect(text).toMatch(/\| predictor \|.*\| 94\.08 \(BANANAS\) \|/);
  });

  it('tfnas bench nb101 reads the official file format and gives the same table', async () => {
    const strategies = ['random', 'evolution'];
    const { rows } = await runBench({ strategies, runs: 2, budget: 10, seed: 0, space: 'nb101', newEvaluator: (s) => new Recording(SYNTHETIC_NB101, 'random-run', s), outDir: path.join(dir, 'in-process'), quiet: true });
    const table = path.join(dir, 'nasbench_small.tfrecord');
    writeNb101TfRecord(table, [...Recording.cells.values()], { otherEpochs: [36] });
    const out = path.join(dir, 'out');
    const r = await runCli(['bench', 'nb101', '--strategies', ...strategies, '--runs', '2', '--budget', '10', '--table', table, '--out', out, '--json']);
    expect(r.code).toBe(0);
    const last = JSON.parse(r.out.trim().split('\n').pop()!);
    expect(last.table.map((x: { mean: number }) => x.mean)).toEqual(rows.map((x) => x.mean));
    expect(fs.existsSync(`${table}.tfnas-cache`)).toBe(true);
    for (const f of ['table.csv', 'runs.csv', 'curves.csv']) expect(fs.existsSync(path.join(out, f))).toBe(true);
  });

  it('without the file: a clear error naming the download command, exit code 2', async () => {
    const r = await runCli(['bench', 'nb101', '--runs', '1', '--table', path.join(dir, 'missing.tfrecord')]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--table: cannot read NAS-Bench-101 file .*missing\.tfrecord/);
  });
});

describe('tfnas search --space nb101', () => {
  it('searches the official file format with --budget-seconds and writes a best.json whose genotype exports', async () => {
    Recording.cells.clear();
    const rec = new Recording(SYNTHETIC_NB101, 'random-run', 1);
    const { runSearch } = await import('../search/blackbox/run');
    const { getSpace } = await import('../space/spaces');
    const ref = await runSearch({ strategy: 'evolution', space: getSpace('nb101'), evaluator: rec, budget: Infinity, budgetSeconds: 30000, seed: 1, outDir: path.join(dir, 'ref'), resume: false, quiet: true });
    const table = path.join(dir, 'search.tfrecord');
    writeNb101TfRecord(table, [...Recording.cells.values()]);
    const out = path.join(dir, 'search');
    const r = await runCli(['search', '--strategy', 'evolution', '--space', 'nb101', '--table', table, '--budget-seconds', '30000', '--seed', '1', '--out', out, '--json']);
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.out.trim().split('\n').pop()!);
    expect(summary).toMatchObject({ evaluator: 'nb101', space: 'nb101', signal: ref.signal, test_accuracy: ref.test_accuracy, queries: ref.queries });
    const hash = await runCli(['export', '--genotype', out, '--format', 'hash']);
    expect(hash.out.trim()).toMatch(/^[0-9a-f]{32}$/);
  });

  it('the nb101 evaluator options are refused elsewhere, and DARTS names the spaces it searches', async () => {
    const signal = await runCli(['search', '--strategy', 'random', '--space', 'nb201', '--nb101-signal', 'mean']);
    expect(signal.err).toMatch(/--nb101-signal: an option of the nb101 evaluator \(--space nb101\), not of nb201/);
    const darts = await runCli(['search', '--space', 'nb101', '--dry-run']);
    expect(darts.err).toMatch(/--space: expected one of darts, nb201 for a DARTS search .*black-box strategies also search nb101/);
    expect([signal.code, darts.code]).toEqual([2, 2]);
  });
});
