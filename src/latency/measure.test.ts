import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../backend';
import { runCli } from '../cli/test-utils/run-cli';
import { measureLatencyTable } from './measure';
import { nodeEnvironment } from './machine';
import { networkRunnable, opRunnable } from './networks';
import { LatencyNetwork, SPACE_OPS, distinctPositions } from './positions';
import { missingEntries, readLatencyTable } from './table';
import { randomGenotypes } from './measure';

const TINY: Record<'darts' | 'nb201', LatencyNetwork> = {
  darts: { space: 'darts', channels: 4, layers: 3, size: 8, batch: 1, numClasses: 3 },
  nb201: { space: 'nb201', channels: 2, layers: 1, size: 8, batch: 1, numClasses: 3 },
};
// Shapes and records only: no assertion depends on how fast anything ran.
const FAST = { repeats: 1, warmup: 0, seed: 0, minSampleMs: 0 };

describe('latency measurement (shapes and records, not speeds)', () => {
  beforeAll(async () => {
    await useBackend('wasm');
  });

  test.each(['darts', 'nb201'] as const)('%s: every op runs at every position with the shape the network gives it; networks give logits', (space) => {
    const n = TINY[space];
    const before = tf.memory().numTensors;
    for (const p of distinctPositions(n)) {
      for (const op of SPACE_OPS[space].filter((o) => o !== 'none')) {
        const r = opRunnable(space, op, p);
        const y = tf.tidy(() => r.run(tf.zeros([1, p.size, p.size, p.channels]) as tf.Tensor4D));
        expect(y.shape).toEqual([1, p.size / p.stride, p.size / p.stride, p.channels]);
        y.dispose();
        r.dispose();
      }
    }
    for (const g of randomGenotypes(space, 3, 1)) {
      const r = networkRunnable(n, g);
      const y = tf.tidy(() => r.run(tf.zeros([1, n.size, n.size, 3]) as tf.Tensor4D));
      expect(y.shape).toEqual([1, n.numClasses]);
      y.dispose();
      r.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  test.each(['darts', 'nb201'] as const)('%s: the table is complete, records machine and versions, identity ops cost 0; validation has one row per cell', async (space) => {
    const before = tf.memory().numTensors;
    const { table, validation } = await measureLatencyTable(TINY[space], { ...FAST, ...nodeEnvironment(), backend: 'wasm', calibration: 1, validate: 3 });
    expect(tf.memory().numTensors).toBe(before);
    expect(missingEntries(table)).toEqual([]);
    expect(table.machine.cores).toBeGreaterThan(0);
    expect(table.versions.tfjs).toBeDefined();
    expect(table.backend).toBe('wasm');
    expect(table.ops[`skip_connect@c${TINY[space].channels}s8x1`]).toBe(0);
    for (const v of Object.values(table.ops)) expect(v).toBeGreaterThanOrEqual(0);
    expect(validation!.rows).toHaveLength(3);
    expect(validation!.spearman).toBeGreaterThanOrEqual(-1);
    expect(validation!.spearman).toBeLessThanOrEqual(1);
  });

  test('tfnas bench latency --json: the table file and validation.csv, spearman and mean_rel_error in the summary', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tfnas-benchlat-'));
    const out = path.join(dir, 'nb201.json');
    const args = ['bench', 'latency', '--space', 'nb201', '--backend', 'wasm', '--init-channels', '2', '--layers', '1', '--size', '8', '--num-classes', '3', '--repeats', '1', '--warmup', '0', '--calibration', '1', '--validate', '3', '--out', out, '--json'];
    const { code, out: stdout, err } = await runCli(args);
    expect({ code, err: code === 0 ? '' : err }).toEqual({ code: 0, err: '' });
    const summary = JSON.parse(stdout.trim().split('\n').pop()!);
    expect(Object.keys(summary)).toEqual(expect.arrayContaining(['spearman', 'mean_rel_error', 'fixed_ms', 'entries']));
    expect(readLatencyTable(out).network).toEqual(TINY.nb201);
    expect(fs.readFileSync(path.join(dir, 'nb201-validation.csv'), 'utf8').trim().split('\n')).toHaveLength(4);
    const bad = await runCli(['bench', 'latency', '--space', 'darts', '--layers', '2', '--backend', 'wasm', '--out', out]);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--layers: at least 3/);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('tfnas bench latency --genotype: each cell\'s measured network (and the table\'s prediction); a cell of the other space is refused', async () => {
    const cells = ['|nor_conv_3x3~0|+|none~0|none~1|+|skip_connect~0|none~1|none~2|', '|none~0|+|none~0|none~1|+|none~0|none~1|none~2|'];
    const base = ['bench', 'latency', '--space', 'nb201', '--backend', 'wasm', '--init-channels', '2', '--layers', '1', '--size', '8', '--repeats', '1', '--warmup', '0'];
    const { code, out, err } = await runCli([...base, '--genotype', ...cells, '--json']);
    expect({ code, err: code === 0 ? '' : err }).toEqual({ code: 0, err: '' });
    const s = JSON.parse(out.trim().split('\n').pop()!);
    expect(s.cells).toHaveLength(2);
    expect(s.network.channels).toBe(2);
    for (const c of s.cells) expect(c.measured_ms).toBeGreaterThan(0);
    const bad = await runCli([...base, '--genotype', 'DARTS_V2']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--genotype: built-in DARTS_V2 is a darts cell; the network is of the nb201 space/);
  });
});
