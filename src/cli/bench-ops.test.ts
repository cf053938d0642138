import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../backend';
import { benchSubjects, median } from '../backend/op-bench';
import { BENCH_OP_NAMES, dartsBenchSubjects, formatOpTable, MIXED_EDGE } from '../api/bench-ops';
import { runCli } from './test-utils/run-cli';

const TINY = { batch: 2, channels: 4, size: 8, repeats: 2, warmup: 1, seed: 0 };

describe('bench ops', () => {
  beforeAll(async () => {
    await useBackend('wasm');
  });

  test('median', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
  });

  test.each([[1, true], [2, true], [1, false]])('times every DARTS op and the mixed edge at stride %i (recompute %s) without leaking', async (stride, recompute) => {
    const subjects = dartsBenchSubjects(TINY.channels, stride as number, 0, recompute as boolean);
    expect(subjects.map((s) => s.name)).toEqual(BENCH_OP_NAMES);
    const before = tf.memory().numTensors;
    const rows = await benchSubjects(subjects, TINY);
    expect(tf.memory().numTensors).toBe(before);
    for (const r of rows) {
      expect(r.outShape).toEqual([2, 8 / (stride as number), 8 / (stride as number), 4]);
      expect(r.runs).toBe(2);
      expect(r.minMs).toBeGreaterThan(0);
      expect(r.minMs).toBeLessThanOrEqual(r.medianMs);
      expect(r.medianMs).toBeLessThanOrEqual(r.maxMs);
    }
    expect(formatOpTable(rows).split('\n')).toHaveLength(BENCH_OP_NAMES.length + 1);
  });

  test('the CLI prints the table and, with --json, one JSON summary as the last stdout line', async () => {
    const args = ['bench', 'ops', '--backend', 'wasm', '--batch', '2', '--channels', '4', '--size', '6', '--repeats', '1', '--warmup', '0'];
    const { out, err, code } = await runCli([...args, '--ops', 'avg_pool_3x3', MIXED_EDGE, '--json']);
    expect(code).toBe(0);
    expect(err).toMatch(/tfnas: backend wasm/);
    expect(err).toMatch(/mixed_edge\s+[\d.]+/);
    const summary = JSON.parse(out.trim().split('\n').pop() as string);
    expect(summary).toMatchObject({ backend: 'wasm', batch: 2, channels: 4, size: 6, stride: 1, repeats: 1, recompute: true });
    expect(summary.ops.map((o: { name: string }) => o.name)).toEqual(['avg_pool_3x3', MIXED_EDGE]);
  });

  test.each([
    [['--batch', '0'], /--batch: expected a positive integer, got 0/],
    [['--repeats', '1.5'], /--repeats: expected a positive integer/],
    [['--stride', '2', '--channels', '5'], /even values with --stride 2/],
    [['--ops', 'conv_7x7'], /Invalid values/],
  ])('bad arguments exit 2 with a clear message: %s', async (extra, message) => {
    const { err, code } = await runCli(['bench', 'ops', '--backend', 'wasm', ...(extra as string[])]);
    expect(code).toBe(2);
    expect(err).toMatch(message as RegExp);
  });
});
