import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { main } from './main';
import { capture } from './test-utils/run-cli';

const lastJson = (out: string) => JSON.parse(out.trim().split('\n').pop() as string);

describe('tfnas search (DARTS)', () => {
  it.each([
    [[], 1_930_618, 224],
    [['--space', 'nb201'], 1_692_826, 30],
    [['--layers', '5', '--init-channels', '8'], 394_210, 224],
  ])('--dry-run --json %j prints the supernet size', async (extra, params, alphas) => {
    const { out, result } = await capture(() => main(['search', '--dry-run', '--json', '--backend', 'wasm', ...(extra as string[])]));
    expect(result).toBe(0);
    const info = lastJson(out);
    expect(info.params).toBe(params);
    expect(info.alphas).toBe(alphas);
  });

  it.each([
    [['--order', '3'], /order/],
    [['--layers', '2'], /--layers: expected at least 3/],
    [['--train-portion', '1.5'], /--train-portion/],
    [['--learning-rate', '-1'], /--learning-rate: expected a positive number/],
  ])('bad option %j exits 2 naming it', async (extra, message) => {
    const { err, result } = await capture(() => main(['search', '--dry-run', '--backend', 'wasm', ...(extra as string[])]));
    expect(result).toBe(2);
    expect(err).toMatch(message as RegExp);
  });

  it('runs a tiny search on synthetic data and prints a JSON summary as the last line', async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'tfnas-darts-cli-'));
    try {
      const args = ['search', '--dataset', 'synthetic', '--synthetic-size', '8', '--synthetic-train', '16', '--synthetic-classes', '3',
        '--space', 'nb201', '--layers', '1', '--init-channels', '2', '--batch-size', '4', '--epochs', '1', '--no-augment',
        '--backend', 'wasm', '--out', out, '--json'];
      const { out: stdout, result } = await capture(() => main(args));
      expect(result).toBe(0);
      const summary = lastJson(stdout);
      expect(summary.out).toBe(out);
      expect(summary.cell).toMatch(/^\|.+~0\|\+\|.+~0\|.+~1\|\+\|.+~0\|.+~1\|.+~2\|$/);
      expect(summary.genotype.ops).toHaveLength(6);
      for (const f of ['config.json', 'log.csv', 'alphas.csv', 'genotype.json', 'checkpoint/state.json']) expect(fs.existsSync(path.join(out, f))).toBe(true);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });
});
