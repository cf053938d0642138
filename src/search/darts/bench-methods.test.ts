import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { useBackend } from '../../backend';
import { makeSynthetic } from '../../data/synthetic';
import { readCsv } from '../../io/csv';
import { DARTS_DEFAULTS, DartsConfig } from './config';
import { benchConfig, formatDartsBench, runDartsBench } from './bench-methods';
import { runDartsSearchLoop } from './search';

beforeAll(async () => {
  await useBackend('wasm');
});

let tmp: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tfnas-dbench-'));
});
afterEach(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

const quiet = () => undefined;
const data = makeSynthetic({ size: 8, channels: 3, classes: 3, trainCount: 16, testCount: 4, seed: 1 });
const base: DartsConfig = { ...DARTS_DEFAULTS, space: 'nb201', dataset: 'synthetic', seed: 0, layers: 1, initChannels: 4, batchSize: 4, epochs: 2, augment: false };
const withoutSeconds = (rows: Record<string, string>[]) => rows.map(({ seconds: _s, ...r }) => r);

describe('tfnas bench darts-nb201 (library)', () => {
  it('scores every method × seed by the table, writes curves, and an interrupted bench continues to the same results', async () => {
    const o = { methods: ['darts', 'gdas'] as const, seeds: [0, 1], base, backend: 'wasm', log: quiet };
    const a = path.join(tmp, 'a');
    const table = await runDartsBench({ ...o, methods: [...o.methods], out: a }, data);
    expect(table.map((r) => [r.method, r.runs])).toEqual([['darts', 2], ['gdas', 2]]);
    for (const r of table) expect(r.mean).toBeGreaterThan(5);
    const curves = readCsv(path.join(a, 'curves.csv'));
    expect(curves).toHaveLength(8);
    expect(Object.keys(curves[0])).toEqual(['method', 'seed', 'epoch', 'test_acc', 'skips', 'param_free', 'alpha_entropy']);
    expect(formatDartsBench(table, 0.9437)).toMatch(/\| gdas \| \d+\.\d\d ± \d+\.\d\d \| 2 \|/);
    // Interrupted: the first run killed after its first epoch, the rest not started.
    const b = path.join(tmp, 'b');
    const kill = (e: number) => {
      if (e === 0) throw new Error('killed');
    };
    const first = path.join(b, 'darts-seed-0');
    fs.mkdirSync(b, { recursive: true });
    await expect(runDartsSearchLoop(benchConfig(base, 'darts', 0), data, { out: first, resume: false, backend: 'wasm', log: quiet, afterEpoch: kill })).rejects.toThrow('killed');
    await runDartsBench({ ...o, methods: [...o.methods], out: b }, data);
    expect(withoutSeconds(readCsv(path.join(b, 'runs.csv')))).toEqual(withoutSeconds(readCsv(path.join(a, 'runs.csv'))));
    expect(readCsv(path.join(b, 'curves.csv'))).toEqual(curves);
    // A finished bench is read back, not rerun.
    const stamp = fs.statSync(path.join(b, 'gdas-seed-1', 'summary.json')).mtimeMs;
    await runDartsBench({ ...o, methods: [...o.methods], out: b }, data);
    expect(fs.statSync(path.join(b, 'gdas-seed-1', 'summary.json')).mtimeMs).toBe(stamp);
  });

  it('each run takes the method\'s mechanisms and α learning rate, the bench\'s batch and lr, and a warm-up scaled to the epochs', () => {
    const pc = benchConfig({ ...base, epochs: 20 }, 'pc-darts', 2);
    expect([pc.partialChannels, pc.edgeNorm, pc.archLr, pc.batchSize, pc.lr, pc.warmupEpochs, pc.seed, pc.method]).toEqual([4, true, 6e-4, 4, 0.025, 6, 2, 'pc-darts']);
  });
});
