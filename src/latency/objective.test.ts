import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../backend';
import { main } from '../cli/main';
import { capture } from '../cli/test-utils/run-cli';
import { expectedLatencyTensor, latencyTerm } from './objective';
import { expectedLatency } from './predictor';
import { writeLatencyTable } from './table';
import { syntheticTable } from './test-utils/tables';

const lastJson = (out: string) => JSON.parse(out.trim().split('\n').pop() as string);

describe('DARTS latency objective', () => {
  let dir: string;
  beforeAll(async () => {
    await useBackend('wasm');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tfnas-latobj-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const seeded = (shape: [number, number], seed: number) => tf.randomNormal(shape, 0, 1, 'float32', seed) as tf.Tensor2D;

  test.each(['darts', 'nb201'] as const)('%s: the tensor form equals the array form, without leaking', async (space) => {
    const t = syntheticTable(space, 3);
    const names = space === 'darts' ? ['normal', 'reduce'] : ['cell'];
    const alphas = Object.fromEntries(names.map((n, i) => [n, seeded([space === 'darts' ? 14 : 6, space === 'darts' ? 8 : 5], i)]));
    const probs = Object.fromEntries(names.map((n) => [n, tf.tidy(() => tf.softmax(alphas[n])).arraySync() as number[][]]));
    const before = tf.memory().numTensors;
    const e = tf.tidy(() => expectedLatencyTensor(t, alphas));
    expect(e.dataSync()[0]).toBeCloseTo(expectedLatency(t, probs), 3);
    e.dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(Object.values(alphas));
  });

  test.each(['additive', 'multiplicative'] as const)('%s form: the value at the target is the loss itself, and the α-gradient moves weight from convs to cheap ops', (loss) => {
    const file = path.join(dir, `nb201-${loss}.json`);
    writeLatencyTable(file, syntheticTable('nb201', 3));
    const alpha = tf.variable(tf.zeros([6, 5]));
    const term = latencyTerm({ table: file, weight: 1, target: null, loss, beta: 0.6 }, 'nb201', { cell: [6, 5] });
    const ce = tf.scalar(2);
    // Uniform α: the default target is its own expected latency, so the term is neutral there.
    expect(tf.tidy(() => term.objective(ce, { cell: alpha })).dataSync()[0]).toBeCloseTo(2, 4);
    const g = tf.tidy(() => tf.grad((a: tf.Tensor) => term.objective(ce, { cell: a }))(alpha)).arraySync() as number[][];
    // Columns: none, skip, conv1x1, conv3x3, pool. Descending the gradient raises none/skip and lowers conv3x3.
    for (const row of g) {
      expect(row[3]).toBeGreaterThan(0);
      expect(row[0]).toBeLessThan(0);
      expect(row[3]).toBeGreaterThan(row[2]);
    }
    tf.dispose([alpha, ce]);
  });

  test('a table of the other space, or a multiplicative target ≤ 1 ms, is refused naming the flag', () => {
    const file = path.join(dir, 'darts.json');
    writeLatencyTable(file, syntheticTable('darts', 3));
    expect(() => latencyTerm({ table: file, weight: 1, target: null, loss: 'additive', beta: 0.6 }, 'nb201', { cell: [6, 5] })).toThrow(/--latency-table: .* measured for the darts space; this search is on nb201/);
    expect(() => latencyTerm({ table: file, weight: 1, target: 0.5, loss: 'multiplicative', beta: 0.6 }, 'darts', { normal: [14, 8], reduce: [14, 8] })).toThrow(/--latency-target/);
  });

  test('tfnas search --latency-table: log.csv gets the expected and predicted latency; a higher weight gives a faster cell', async () => {
    const table = path.join(dir, 'nb201-search.json');
    writeLatencyTable(table, syntheticTable('nb201', 3, { channels: 2, layers: 1, size: 8 }));
    const run = async (weight: string) => {
      const out = path.join(dir, `run-${weight}`);
      const args = ['search', '--dataset', 'synthetic', '--synthetic-size', '8', '--synthetic-train', '16', '--synthetic-classes', '3',
        '--space', 'nb201', '--layers', '1', '--init-channels', '2', '--batch-size', '4', '--epochs', '2', '--no-augment', '--arch-learning-rate', '0.05',
        '--latency-table', table, '--latency-weight', weight, '--backend', 'wasm', '--out', out, '--json'];
      const { out: stdout, err, result } = await capture(() => main(args));
      expect({ result, err: result === 0 ? '' : err }).toEqual({ result: 0, err: '' });
      const log = fs.readFileSync(path.join(out, 'log.csv'), 'utf8').trim().split('\n');
      expect(log[0]).toMatch(/,expected_latency_ms,predicted_latency_ms$/);
      return lastJson(stdout);
    };
    const free = await run('0');
    const heavy = await run('50');
    expect(heavy.predicted_latency_ms).toBeLessThan(free.predicted_latency_ms);
    expect(heavy.latency_target_ms).toBeGreaterThan(0);
  });
});
