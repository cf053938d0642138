import * as fs from 'fs';
import * as path from 'path';
import { runCli } from './test-utils/run-cli';
import { tmpDir, writeSyntheticTable } from '../search/test-utils/synthetic';

describe('tfnas bench nb201', () => {
  let dir: string;
  beforeAll(() => {
    dir = tmpDir('bench-cli');
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('runs the chosen strategies and prints the table, then one JSON line', async () => {
    const table = writeSyntheticTable(dir);
    const out = path.join(dir, 'out');
    const { code, out: text, err } = await runCli(['bench', 'nb201', '--strategies', 'random', 'evolution', '--runs', '2', '--budget', '8', '--table', table, '--out', out, '--json']);
    expect(err).not.toMatch(/error/);
    expect(code).toBe(0);
    expect(text).toMatch(/\| evolution \| 2 \| 8 \|/);
    const last = JSON.parse(text.trim().split('\n').pop() as string);
    expect(last.table.map((r: { strategy: string }) => r.strategy)).toEqual(['random', 'evolution']);
    for (const f of ['table.csv', 'runs.csv', 'curves.csv']) expect(fs.existsSync(path.join(out, f))).toBe(true);
  });

  it('rejects a bad --runs and an unreadable --table with exit code 2', async () => {
    const badRuns = await runCli(['bench', 'nb201', '--runs', '0', '--table', path.join(dir, 'nb201.csv')]);
    const missing = await runCli(['bench', 'nb201', '--table', path.join(dir, 'missing.csv')]);
    expect([badRuns.code, missing.code]).toEqual([2, 2]);
    expect(badRuns.err).toMatch(/--runs: expected a positive integer, got 0/);
    expect(missing.err).toMatch(/--table: cannot read NAS-Bench-201 table .*missing\.csv/);
  });
});
