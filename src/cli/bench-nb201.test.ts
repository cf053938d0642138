import * as fs from 'fs';
import * as path from 'path';
import { main } from './main';
import { tmpDir, writeSyntheticTable } from '../search/test-utils/synthetic';

describe('tfnas bench nb201', () => {
  let dir: string;
  beforeAll(() => {
    dir = tmpDir('bench-cli');
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  function capture(): { out: string[]; err: string[]; restore: () => void } {
    const out: string[] = [];
    const err: string[] = [];
    const o = jest.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => (out.push(String(c)), true));
    const e = jest.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => (err.push(String(c)), true));
    const l = jest.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ') + '\n'));
    return { out, err, restore: () => [o, e, l].forEach((s) => s.mockRestore()) };
  }

  it('runs the chosen strategies and prints the table, then one JSON line', async () => {
    const table = writeSyntheticTable(dir);
    const out = path.join(dir, 'out');
    const cap = capture();
    let code: number;
    try {
      code = await main(['bench', 'nb201', '--strategies', 'random', 'evolution', '--runs', '2', '--budget', '8', '--table', table, '--out', out, '--json']);
    } finally {
      cap.restore();
    }
    expect(cap.err.join('')).not.toMatch(/error/);
    expect(code).toBe(0);
    const text = cap.out.join('');
    expect(text).toMatch(/\| evolution \| 2 \| 8 \|/);
    const last = JSON.parse(cap.out[cap.out.length - 1]);
    expect(last.table.map((r: { strategy: string }) => r.strategy)).toEqual(['random', 'evolution']);
    for (const f of ['table.csv', 'runs.csv', 'curves.csv']) expect(fs.existsSync(path.join(out, f))).toBe(true);
  });

  it('rejects a bad --runs and an unreadable --table with exit code 2', async () => {
    const cap = capture();
    let codes: number[];
    try {
      codes = [
        await main(['bench', 'nb201', '--runs', '0', '--table', path.join(dir, 'nb201.csv')]),
        await main(['bench', 'nb201', '--table', path.join(dir, 'missing.csv')]),
      ];
    } finally {
      cap.restore();
    }
    expect(codes).toEqual([2, 2]);
    expect(cap.err.join('')).toMatch(/--runs: expected an integer ≥ 1, got 0/);
    expect(cap.err.join('')).toMatch(/--table: cannot read NAS-Bench-201 table .*missing\.csv/);
  });
});
