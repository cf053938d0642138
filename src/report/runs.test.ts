import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { UsageError } from '../io/errors';
import { expandRunDirs, loadRun, parseConfusion, runKind } from './runs';
import { syntheticTable, writeBenchRun, writeBlackBoxRun, writeSearchRun, writeTrainRun } from './test-utils/fixtures';

let root: string;
beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'tfnas-report-runs-'));
  const table = syntheticTable(root);
  for (const d of ['results/search', 'results/train', 'results/bb', 'results/bench', 'empty']) fs.mkdirSync(path.join(root, d), { recursive: true });
  writeSearchRun(path.join(root, 'results/search'), { totalEpochs: 2 });
  writeTrainRun(path.join(root, 'results/train'), { totalEpochs: 2 });
  await writeBlackBoxRun(path.join(root, 'results/bb'), table, { strategy: 'random', seed: 0, budget: 5 });
  await writeBenchRun(path.join(root, 'results/bench'), table, 1, 5);
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const at = (p: string) => path.join(root, p);

describe('run folders', () => {
  it('tells every kind of run folder apart, and rejects others by name', () => {
    expect(['search', 'train', 'bb', 'bench'].map((d) => runKind(at(`results/${d}`)))).toEqual(['search', 'train', 'blackbox', 'bench']);
    expect(runKind(at('empty'))).toBeNull();
    expect(runKind(at('nowhere'))).toBeNull();
    expect(() => loadRun(at('empty'))).toThrow(UsageError);
    expect(() => loadRun(at('empty'))).toThrow(/empty is not a tfnas run folder/);
  });

  it('loads each kind with its files', () => {
    const s = loadRun(at('results/search'));
    expect(s.kind === 'search' && [s.log.length, s.alphas.length]).toEqual([2, 2 * 2 * 14 * 8]);
    const t = loadRun(at('results/train'));
    expect(t.kind === 'train' && t.confusion?.classes.length).toBe(10);
    const b = loadRun(at('results/bb'));
    expect(b.kind === 'blackbox' && [b.history.length, b.identity?.strategy]).toEqual([5, 'random']);
    expect(parseConfusion([{ true_class: 'a', pred_a: '3', pred_b: '1' }, { true_class: 'b', pred_a: '0', pred_b: '2' }])).toEqual({ classes: ['a', 'b'], counts: [[3, 1], [0, 2]] });
  });

  it('expands a folder of run folders, and names a RUN that is none', () => {
    expect(expandRunDirs([at('results')])).toEqual(['bb', 'bench', 'search', 'train'].map((d) => at(`results/${d}`)));
    expect(expandRunDirs([at('results/bb'), at('results/bb/')])).toEqual([at('results/bb')]);
    expect(() => expandRunDirs([at('empty')])).toThrow(/RUN: .*empty is not a tfnas run folder and holds none/);
    expect(() => expandRunDirs([at('nowhere')])).toThrow(/RUN: .*nowhere does not exist/);
    expect(() => expandRunDirs([at('nb201.csv')])).toThrow(/is a file; expected a run folder/);
  });
});
