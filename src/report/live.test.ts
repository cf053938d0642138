/** report.html kept current by real (tiny) runs: DARTS search, retraining, black-box search. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { useBackend } from '../backend';
import { makeSynthetic } from '../data';
import { DARTS_DEFAULTS } from '../search/darts/config';
import { runDartsSearchLoop } from '../search/darts/search';
import { builtinGenotype } from '../space/builtin-genotypes';
import type { DartsGenotype } from '../space/genotype-types';
import { retrain, RETRAIN_DEFAULTS } from '../train/retrain';
import { refreshRunReport } from './report';
import { syntheticTable, writeBlackBoxRun, writeSearchRun } from './test-utils/fixtures';

let root: string;
beforeAll(async () => {
  await useBackend('wasm');
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'tfnas-report-live-'));
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const quiet = () => undefined;
const page = (dir: string) => fs.readFileSync(path.join(dir, 'report.html'), 'utf8');

describe('live report.html', () => {
  it('a DARTS search rewrites it after every epoch', async () => {
    const out = path.join(root, 'search');
    const data = makeSynthetic({ size: 8, channels: 3, classes: 3, trainCount: 16, testCount: 4, seed: 1 });
    const cfg = { ...DARTS_DEFAULTS, space: 'darts' as const, dataset: 'synthetic', seed: 3, layers: 3, initChannels: 2, batchSize: 4, epochs: 2, augment: false };
    const seen: string[] = [];
    // afterEpoch runs at the checkpoint of epoch e, before that epoch's report: it sees epoch e-1's.
    const afterEpoch = (e: number) => void (e > 0 && seen.push(page(out)));
    await runDartsSearchLoop(cfg, data, { out, resume: false, backend: 'wasm', log: quiet, report: true, afterEpoch });
    expect(seen[0]).toContain('epochs <b>1 of 2</b>');
    expect(page(out)).toContain('epochs <b>2 of 2</b>');
    expect(page(out)).toContain('softmax(α) of the reduction cell');
    const off = path.join(root, 'search-off');
    await runDartsSearchLoop({ ...cfg, epochs: 1 }, data, { out: off, resume: false, backend: 'wasm', log: quiet });
    expect(fs.existsSync(path.join(off, 'report.html'))).toBe(false);
  });

  it('a retraining writes it after every epoch and once more with the test results', async () => {
    const runDir = path.join(root, 'train');
    const data = makeSynthetic({ size: 8, classes: 4, trainCount: 32, testCount: 16, seed: 1 });
    await retrain(data, {
      ...RETRAIN_DEFAULTS, genotype: builtinGenotype('DARTS_V2') as DartsGenotype, genotypeName: 'DARTS_V2',
      C: 4, layers: 3, batchSize: 16, epochs: 1, cutout: 0, runDir, resume: false, log: quiet, report: true,
    });
    expect(page(runDir)).toContain('confusion matrix (test split)');
    expect(JSON.parse(fs.readFileSync(path.join(runDir, 'config.json'), 'utf8')).options).not.toHaveProperty('report');
  });

  it('a black-box search writes it as queries finish', async () => {
    const dir = path.join(root, 'bb');
    const table = syntheticTable(root);
    await writeBlackBoxRun(dir, table, { strategy: 'evolution', seed: 1, budget: 15, report: true });
    expect(page(dir)).toContain('queries <b>15</b>');
    await writeBlackBoxRun(path.join(root, 'bb-off'), table, { strategy: 'evolution', seed: 1, budget: 3 });
    expect(fs.existsSync(path.join(root, 'bb-off', 'report.html'))).toBe(false);
  });

  it('a report that cannot be drawn warns once and never stops the run', async () => {
    const dir = path.join(root, 'broken');
    fs.mkdirSync(dir);
    writeSearchRun(dir, { totalEpochs: 2 });
    fs.appendFileSync(path.join(dir, 'log.csv'), '2,0.01,1,0.5,1,0.5,1,"Genotype(normal=[(\'no_such_op\', 0)])"\n');
    const lines: string[] = [];
    await refreshRunReport(dir, (l) => lines.push(l));
    await refreshRunReport(dir, (l) => lines.push(l));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/warning: .*report\.html not updated: /);
    expect(fs.existsSync(path.join(dir, 'report.html'))).toBe(false);
  });
});
