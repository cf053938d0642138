import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { main } from './main';
import { capture } from './test-utils/run-cli';
import { readOptions } from './options';
import { dartsConfigFromOptions, scheduleOption } from '../api/search-darts';
import { SEARCH_OPTIONS } from '../search/search-options';

const lastJson = (out: string) => JSON.parse(out.trim().split('\n').pop() as string);

describe('tfnas search (DARTS)', () => {
  it.each([
    [[], 1_930_618, 224],
    [['--space', 'nb201'], 1_692_826, 30],
    [['--layers', '5', '--init-channels', '8'], 394_210, 224],
    // PC-DARTS model_search.Network (K=4) as its train_search.py logs it; α 2·14·8 and β 2·14.
    [['--method', 'pc-darts'], 299_578, 252],
    [['--method', 'pc-darts', '--layers', '5', '--init-channels', '8'], 66_586, 252],
    [['--partial-channels', '4'], 299_578, 224],
  ])('--dry-run --json %j prints the supernet size', async (extra, params, alphas) => {
    const { out, result } = await capture(() => main(['search', '--dry-run', '--json', '--backend', 'wasm', ...(extra as string[])]));
    expect(result).toBe(0);
    const info = lastJson(out);
    expect(info.params).toBe(params);
    expect(info.alphas).toBe(alphas);
  });

  it.each([
    [['--method', 'gdas', '--order', '2'], /--order: expected 1 with Gumbel sampling/],
    [['--gumbel-tau', '10:x'], /--gumbel-tau: expected off, a number, or FROM:TO/],
    [['--method', 'pc-darts', '--init-channels', '12'], /--partial-channels: expected K with an even C\/K/],
    [["--method", "nope"], /Argument: method, Given: "nope", Choices: "darts", "pc-darts"/],
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

describe('method presets and schedule options', () => {
  const values = (extra: Record<string, unknown> = {}) => readOptions({ ...extra }, SEARCH_OPTIONS, 'search');
  it('a preset fills what is not given; given options override it', () => {
    const pc = dartsConfigFromOptions(values({ method: 'pc-darts' }));
    expect([pc.partialChannels, pc.edgeNorm, pc.batchSize, pc.lr, pc.lrMin, pc.archLr, pc.warmupEpochs]).toEqual([4, true, 256, 0.1, 0, 6e-4, 15]);
    const own = dartsConfigFromOptions(values({ method: 'pc-darts', 'batch-size': 32, 'partial-channels': 2, 'edge-norm': false }));
    expect([own.partialChannels, own.edgeNorm, own.batchSize]).toEqual([2, false, 32]);
    const mixed = dartsConfigFromOptions(values({ method: 'gdas', 'entropy-weight': '-0.1:0.2', 'gumbel-tau': '5' }));
    expect([mixed.gumbelTau, mixed.entropyWeight, mixed.method]).toEqual([[5, 5], [-0.1, 0.2], 'gdas']);
    expect(dartsConfigFromOptions(values({ method: 'darts-minus', 'aux-skip': 'off' })).auxSkip).toBeNull();
    expect(dartsConfigFromOptions(values()).auxSkip).toBeNull();
  });

  it('schedule text: a number, FROM:TO or off; anything else names the option', () => {
    expect(scheduleOption('beta-decay', '0:50', null)).toEqual([0, 50]);
    expect(scheduleOption('beta-decay', undefined, [1, 2])).toEqual([1, 2]);
    expect(() => scheduleOption('beta-decay', '1:2:3', null)).toThrow(/--beta-decay/);
  });
});
