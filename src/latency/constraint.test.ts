import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readCsv } from '../io/csv';
import { main } from '../cli/main';
import { capture } from '../cli/test-utils/run-cli';
import { makeSearcher } from '../search/blackbox/registry';
import { getSpace } from '../space/spaces';
import type { Nb201Genotype } from '../space/genotype-types';
import { constrainSearcher, INFEASIBLE_SCORE, latencyModelFromTable, paretoFront } from './constraint';
import { predictLatency } from './predictor';
import { writeLatencyTable } from './table';
import { syntheticTable } from './test-utils/tables';

const lastJson = (out: string) => JSON.parse(out.trim().split('\n').pop() as string);

describe('latency constraint and Pareto front', () => {
  let dir: string;
  let table: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tfnas-latcon-'));
    table = path.join(dir, 'nb201.json');
    writeLatencyTable(table, syntheticTable('nb201', 1));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('Pareto front: higher signal and lower latency; dominated points dropped; sorted by latency', () => {
    const pts = [
      { signal: 0.9, latencyMs: 10 }, { signal: 0.8, latencyMs: 5 }, { signal: 0.85, latencyMs: 12 }, { signal: 0.95, latencyMs: 20 },
      { signal: 0.8, latencyMs: 6 }, { signal: 0.7, latencyMs: 5 },
    ];
    expect(paretoFront(pts)).toEqual([{ signal: 0.8, latencyMs: 5 }, { signal: 0.9, latencyMs: 10 }, { signal: 0.95, latencyMs: 20 }]);
    expect(paretoFront([])).toEqual([]);
  });

  test.each(['random', 'evolution'])('%s under a constraint only returns cells within it; the rejected ones are told the infeasible score', async (strategy) => {
    const space = getSpace('nb201');
    const latency = latencyModelFromTable(table, 'nb201');
    const s = constrainSearcher(makeSearcher(strategy, space, { seed: 1 }), latency, 2);
    for (let i = 0; i < 30; i++) {
      const g = await s.ask();
      expect(latency(g)).toBeLessThanOrEqual(2);
      s.tell(g, 0.5);
    }
    const rejected = s.history().filter((h) => h.score === INFEASIBLE_SCORE);
    expect(rejected.length).toBeGreaterThan(0);
    for (const h of rejected) expect(latency(space.fromKey(h.key))).toBeGreaterThan(2);
  });

  test('an unreachable limit is a usage error naming --max-latency', async () => {
    const s = constrainSearcher(makeSearcher('random', getSpace('nb201'), { seed: 0 }), () => 10, 1);
    await expect(s.ask()).rejects.toThrow(/--max-latency: no cell of 10000 proposals/);
  });

  test('tfnas search --max-latency on NAS-Bench-201: the best cell meets it; pareto.csv is the front of the queried cells', async () => {
    const unconstrained = path.join(dir, 'free');
    const constrained = path.join(dir, 'limited');
    const base = ['search', '--strategy', 'evolution', '--space', 'nb201', '--budget', '40', '--seed', '3', '--latency-table', table, '--no-report', '--json'];
    const free = await capture(() => main([...base, '--out', unconstrained]));
    expect(free.result).toBe(0);
    const freeSummary = lastJson(free.out);
    const limit = 1 + 0.5 * (freeSummary.latency_ms - 1);
    const lim = await capture(() => main([...base, '--max-latency', String(limit), '--out', constrained]));
    expect(lim.result).toBe(0);
    const s = lastJson(lim.out);
    expect(s.latency_ms).toBeLessThanOrEqual(limit);
    const t = syntheticTable('nb201', 1);
    expect(s.latency_ms).toBeCloseTo(predictLatency(t, s.genotype as Nb201Genotype), 3);
    for (const r of readCsv(path.join(constrained, 'history.csv'))) expect(predictLatency(t, getSpace('nb201').fromKey(r.architecture) as Nb201Genotype)).toBeLessThanOrEqual(limit);
    const front = readCsv(path.join(unconstrained, 'pareto.csv'));
    expect(front.length).toBe(freeSummary.pareto_points);
    for (let i = 1; i < front.length; i++) {
      expect(Number(front[i].latency_ms)).toBeGreaterThan(Number(front[i - 1].latency_ms));
      expect(Number(front[i].signal)).toBeGreaterThan(Number(front[i - 1].signal));
    }
    // The front's most accurate point is the unconstrained best.
    expect(Number(front[front.length - 1].signal)).toBe(freeSummary.signal);
    // The report draws the front.
    const rep = await capture(() => main(['report', unconstrained]));
    expect(rep.result).toBe(0);
    expect(fs.readFileSync(path.join(unconstrained, 'report.html'), 'utf8')).toMatch(/Pareto front: accuracy against latency[\s\S]*pareto\.csv/);
  });

  test('--max-latency without --latency-table exits 2 naming it', async () => {
    const { result, err } = await capture(() => main(['search', '--strategy', 'random', '--space', 'nb201', '--max-latency', '3', '--out', path.join(dir, 'x')]));
    expect(result).toBe(2);
    expect(err).toMatch(/--max-latency: needs --latency-table/);
  });
});
