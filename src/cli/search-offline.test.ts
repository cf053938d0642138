import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DEFAULT_NB201_TABLE } from '../search/tables/nb201-table';
import { runCli } from './test-utils/run-cli';

/** The first run of a new user: a fresh clone, no data/ folder, no network. */
describe('tfnas search on a fresh machine', () => {
  const cwd = process.cwd();
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tfnas-fresh-'));
    process.chdir(dir);
  });
  afterAll(() => {
    process.chdir(cwd);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('search --space nb201 --strategy evolution --budget 50 --json works with nothing downloaded (the shipped table)', async () => {
    expect(fs.existsSync('data')).toBe(false);
    const r = await runCli(['search', '--space', 'nb201', '--strategy', 'evolution', '--budget', '50', '--json']);
    expect(r.err).not.toMatch(/error/);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.out.trim().split('\n').pop() as string);
    expect(s.queries).toBe(50);
    expect(s.table).toBe(DEFAULT_NB201_TABLE);
    // Fractions, like every accuracy tfnas reports.
    expect(s.test_accuracy).toBeGreaterThan(0.8);
    expect(s.test_accuracy).toBeLessThanOrEqual(0.9437);
    expect(fs.existsSync(path.join(dir, 'results', 'search', 'nb201', 'cifar10', 'evolution-seed-0', 'best.json'))).toBe(true);
  });
});
