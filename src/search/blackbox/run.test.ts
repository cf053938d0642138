/** The search loop's run folder, resume, the CLI runner and the bench, on a synthetic table. */
import * as fs from 'fs';
import * as path from 'path';
import { useBackend } from '../../backend';
import { getSpace } from '../../space/spaces';
import { Nb201Evaluator, loadNb201Table, makeEvaluator, nb201CellReport, withNb201TestAccuracy, type Evaluator } from '../evaluators/registry';
import { runSearch } from './run';
import { search as runBlackBoxSearch } from '../../api/search';
import { main } from '../../cli/main';
import { toArgv } from '../../cli/options';
import { formatBenchTable, meanStd, NB201_PAPER_CIFAR10, runBench } from '../bench';
import { nb201FromOrdinal } from '../../space/nb201-space';
import { syntheticRow, syntheticTableText, tmpDir, writeSyntheticTable } from '../test-utils/synthetic';

let dir: string;
let tableFile: string;

beforeAll(async () => {
  await useBackend('wasm');
  dir = tmpDir('search');
  tableFile = writeSyntheticTable(dir);
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function evaluator() {
  return new Nb201Evaluator(loadNb201Table(tableFile), 'cifar10');
}

describe('nb201 evaluator', () => {
  it('returns the 12-epoch validation accuracy as signal and the 200-epoch test accuracy, counting queries', async () => {
    const ev = evaluator();
    const g = nb201FromOrdinal(123);
    const r = await ev.evaluate(g);
    expect(r.signal).toBeCloseTo(syntheticRow(123)[0] / 100, 6);
    expect(r.testAccuracy).toBeCloseTo(syntheticRow(123)[2] / 100, 6);
    await ev.evaluate(g);
    expect(ev.queries).toBe(2);
    expect(nb201CellReport(g, tableFile)!.cifar100.test_200ep).toBeCloseTo(syntheticRow(123)[5] / 100, 6);
  });

  it('refuses a table that lacks cells of the space, naming --table', () => {
    const partial = path.join(dir, 'partial.csv');
    fs.writeFileSync(partial, syntheticTableText([0, 1, 2]));
    expect(() => new Nb201Evaluator(loadNb201Table(partial), 'cifar10')).toThrow(/--table: .*partial\.csv has 3 of the 15625 NAS-Bench-201 cells/);
  });

  it('refuses other spaces and unknown evaluators clearly', async () => {
    await expect(makeEvaluator('nb201', { space: 'darts', dataset: 'cifar10', table: tableFile })).rejects.toThrow(/--evaluator nb201 works on --space nb201, not darts/);
    await expect(makeEvaluator('oracle', { space: 'nb201', dataset: 'cifar10' })).rejects.toThrow(/--evaluator: expected one of nb201, train/);
  });
});

describe('withNb201TestAccuracy', () => {
  it('adds the benchmark test accuracy to another evaluator\'s signal', async () => {
    const inner: Evaluator = { name: 'fake', describe: {}, queries: 0, evaluate: async () => ({ signal: 42 }) };
    const ev = withNb201TestAccuracy(inner, loadNb201Table(tableFile), 'cifar100');
    const r = await ev.evaluate(nb201FromOrdinal(77));
    expect(r.signal).toBe(42);
    expect(r.testAccuracy).toBeCloseTo(syntheticRow(77)[5] / 100, 6);
    expect(ev.describe.reported).toBe('cifar100_test_200ep');
  });
});

describe('runSearch', () => {
  const base = (out: string, budget: number, resume = false) => ({
    strategy: 'evolution',
    space: getSpace('nb201'),
    evaluator: evaluator(),
    budget,
    seed: 4,
    outDir: out,
    resume,
    quiet: true,
  });

  it('writes history.csv, best.json and a checkpoint, and resumes to the same result', async () => {
    const straight = path.join(dir, 'straight');
    const s = await runSearch(base(straight, 24));
    const hist = fs.readFileSync(path.join(straight, 'history.csv'), 'utf8').trim().split('\n');
    expect(hist[0]).toBe('query,architecture,signal,test_accuracy,best_signal,best_architecture,best_test_accuracy');
    expect(hist.length).toBe(25);
    const best = JSON.parse(fs.readFileSync(path.join(straight, 'best.json'), 'utf8'));
    expect(best.best).toBe(s.best);
    expect(best.test_accuracy).toBe(s.test_accuracy);
    const bestSignals = hist.slice(1).map((l) => Number(l.split(',')[4]));
    bestSignals.forEach((v, i) => i > 0 && expect(v).toBeGreaterThanOrEqual(bestSignals[i - 1]));

    const resumed = path.join(dir, 'resumed');
    await runSearch(base(resumed, 10));
    await expect(runSearch(base(resumed, 24))).rejects.toThrow(/already holds a search .* pass --resume/);
    // A run killed during an atomic write leaves its temp file; resume removes it unless its writer lives.
    const dead = '.tmp-checkpoint.json-999999999-1';
    const alive = `.tmp-best.json-${process.pid}-1`;
    for (const f of [dead, alive]) fs.writeFileSync(path.join(resumed, f), '{');
    const r = await runSearch(base(resumed, 24, true));
    expect(fs.readdirSync(resumed).filter((f) => f.startsWith('.tmp-'))).toEqual([alive]);
    fs.rmSync(path.join(resumed, alive));
    expect(r.best).toBe(s.best);
    expect(fs.readFileSync(path.join(resumed, 'history.csv'), 'utf8')).toBe(fs.readFileSync(path.join(straight, 'history.csv'), 'utf8'));
  });

  it('rejects an --out file, a damaged checkpoint and a budget below the queries made, by name', async () => {
    const file = path.join(dir, 'a-file');
    fs.writeFileSync(file, 'x');
    await expect(runSearch(base(file, 3))).rejects.toThrow(/--out: .*a-file is a file; expected a run folder/);
    const out = path.join(dir, 'damaged');
    await runSearch(base(out, 4));
    await expect(runSearch(base(out, 3, true))).rejects.toThrow(/--budget: the run in .* has already made 4 queries; pass --budget ≥ 4/);
    fs.writeFileSync(path.join(out, 'checkpoint.json'), '{"version": 1');
    await expect(runSearch(base(out, 8, true))).rejects.toThrow(/--resume: .*not valid JSON.*delete the run folder or choose another --out/);
  });

  it('leaves no run folder when the first query fails', async () => {
    const out = path.join(dir, 'failing');
    const failing: Evaluator = { name: 'fake', describe: {}, queries: 0, evaluate: async () => Promise.reject(new Error('evaluator broke')) };
    await expect(runSearch({ ...base(out, 3), evaluator: failing })).rejects.toThrow('evaluator broke');
    expect(fs.existsSync(out)).toBe(false);
  });

  it('refuses to resume a run made with other settings', async () => {
    const out = path.join(dir, 'other');
    await runSearch(base(out, 3));
    await expect(runSearch({ ...base(out, 6, true), seed: 5 })).rejects.toThrow(/--resume: .* was made with/);
  });
});

describe('search() and tfnas search --strategy …', () => {
  it.each(['random', 'predictor', 'nao'])('%s: --json prints one JSON object with best and test_accuracy last', async (strategy) => {
    const out = path.join(dir, `cli-${strategy}`);
    const lines: string[] = [];
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    const errSpy = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const modelOptions = strategy === 'random' ? {} : { init: 4, batch: 5, 'model-steps': 10 };
      const words = ['search', ...toArgv({ strategy, space: 'nb201', table: tableFile, budget: 14, seed: 1, out, json: true, backend: 'wasm', ...modelOptions })];
      expect(await main(words)).toBe(0);
    } finally {
      spy.mockRestore();
      errSpy.mockRestore();
    }
    const last = JSON.parse(lines[lines.length - 1]);
    expect(typeof last.best).toBe('string');
    expect(typeof last.test_accuracy).toBe('number');
    expect(last.queries).toBe(14);
  });

  it('rejects bad arguments by name', async () => {
    await expect(runBlackBoxSearch({ strategy: 'hill', space: 'nb201' })).rejects.toThrow(/--strategy: expected one of darts, random, evolution, genetic, predictor, nao, got "hill"/);
    await expect(runBlackBoxSearch({ strategy: 'random', space: 'nb201', budget: 0, table: tableFile })).rejects.toThrow(/--budget: expected a positive integer, got 0/);
    await expect(runBlackBoxSearch({ strategy: 'random', space: 'nb201', budget: NaN, table: tableFile })).rejects.toThrow(/--budget: expected a number, got a value that is not a number/);
    await expect(runBlackBoxSearch({ strategy: 'random', space: 'nb201', population: 5, table: tableFile })).rejects.toThrow(/--population: not used by --strategy random; it is an option of evolution, genetic/);
    await expect(runBlackBoxSearch({ strategy: 'evolution', space: 'nb201', init: 5, table: tableFile })).rejects.toThrow(/--init: not used by --strategy evolution; it is an option of predictor, nao/);
    await expect(runBlackBoxSearch({ strategy: 'random', space: 'nb201', table: [tableFile, tableFile] } as never)).rejects.toThrow(/--table: given 2 times; expected it once/);
    await expect(runBlackBoxSearch({ strategy: 'random', space: 'nb201', table: tableFile, dryRun: true })).rejects.toThrow(/--dry-run: only --strategy darts/);
  });

  it.each([
    ['genetic', { population: 2 }, /--population: genetic needs a population > 2/],
    ['evolution', { tournament: 0 }, /--tournament: expected a positive integer, got 0/],
    ['nao', { init: 1 }, /--init: nao needs ≥ 2 random architectures/],
    ['predictor', { init: 1 }, /--init: predictor needs ≥ 2 random architectures/],
  ])('%s: rejects searcher options %j by name and creates no run folder', async (strategy, opts, message) => {
    const out = path.join(dir, `bad-${strategy}`);
    await expect(runBlackBoxSearch({ strategy, space: 'nb201', table: tableFile, budget: 5, out, backend: 'wasm', ...opts })).rejects.toThrow(message);
    expect(fs.existsSync(out)).toBe(false);
  });
});

describe('nb201 bench', () => {
  it('runs strategies over seeds and writes the table, runs and anytime curves', async () => {
    const out = path.join(dir, 'bench');
    const table = loadNb201Table(tableFile);
    const { rows, runs } = await runBench({ strategies: ['random', 'evolution'], runs: 3, budget: 12, seed: 0, space: 'nb201', newEvaluator: () => new Nb201Evaluator(table, 'cifar10'), outDir: out, quiet: true });
    expect(rows.map((r) => r.strategy)).toEqual(['random', 'evolution']);
    expect(runs.length).toBe(6);
    expect(rows[0].mean).toBeCloseTo(meanStd(runs.slice(0, 3).map((r) => r.test)).mean, 10);
    const curves = fs.readFileSync(path.join(out, 'curves.csv'), 'utf8').trim().split('\n');
    expect(curves.length).toBe(1 + 2 * 12);
    expect(fs.existsSync(path.join(out, 'table.csv'))).toBe(true);
    expect(formatBenchTable(rows, NB201_PAPER_CIFAR10, 'CIFAR-10', 99)).toMatch(/\| random \| 3 \| 12 \| .* \| 93\.70 ± 0\.36 \|/);
  });

  it('meanStd uses the sample standard deviation', () => {
    expect(meanStd([1, 2, 3, 4])).toEqual({ mean: 2.5, std: Math.sqrt(5 / 3) });
  });
});
