import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { runCli } from './test-utils/run-cli';

let root: string;

/** Runs a command in-process and returns what it printed on stdout; a non-zero exit fails the test. */
async function run(args: string[]): Promise<string> {
  const r = await runCli(args);
  if (r.code !== 0) throw new Error(`tfnas ${args.join(' ')} exited with ${r.code}: ${r.err}`);
  return r.out;
}

const lastJson = (out: string) => JSON.parse(out.trim().split('\n').pop() as string);

const SYNTH = ['--dataset', 'synthetic', '--synthetic-size', '8', '--synthetic-classes', '4', '--synthetic-train', '128', '--synthetic-test', '64'];

beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'tfnas-cli-train-'));
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

test('train --dry-run --json prints the reference parameter counts without training', async () => {
  const s = lastJson(await run(['train', '--genotype', 'DARTS_V2', '--dry-run', '--json', '--backend', 'cpu']));
  expect(s.params_without_auxiliary).toBe(3_349_342);
  expect(s.params).toBe(3_825_768);
  expect(s.params_millions).toBe('3.3M');
  expect(fs.existsSync('results/train/cifar10/DARTS_V2-seed-0')).toBe(false);
});

test('train then eval: the saved model evaluates to the accuracy train reported, with a confusion CSV', async () => {
  const runDir = path.join(root, 'run');
  const before = tf.memory().numTensors;
  const t = lastJson(
    await run(['train', ...SYNTH, '--backend', 'wasm', '--init-channels', '4', '--layers', '3', '--batch-size', '32', '--epochs', '1', '--out', runDir, '--json']),
  );
  expect(t.model_dir).toBe(path.join(runDir, 'model'));
  const e = lastJson(await run(['eval', '--model', t.model_dir, ...SYNTH, '--backend', 'wasm', '--out', path.join(root, 'confusion.csv'), '--json']));
  expect(e.count).toBe(64);
  expect(e.accuracy).toBeCloseTo(t.test_accuracy, 6);
  expect(Object.keys(e.per_class_accuracy)).toEqual(['class0', 'class1', 'class2', 'class3']);
  const csv = fs.readFileSync(e.confusion_csv, 'utf8').trim().split('\n');
  expect(csv).toHaveLength(5);
  const total = csv.slice(1).reduce((s, line) => s + line.split(',').slice(1).reduce((a, v) => a + Number(v), 0), 0);
  expect(total).toBe(64);
  expect(tf.memory().numTensors).toBe(before);
});

test('eval rejects a model whose input does not fit the dataset, naming both shapes', async () => {
  const runDir = path.join(root, 'run');
  await expect(run(['eval', '--model', path.join(runDir, 'model'), '--dataset', 'synthetic', '--synthetic-train', '4', '--synthetic-test', '4', '--backend', 'wasm'])).rejects.toThrow(
    /takes inputs of shape \[8, 8, 3\], but synthetic images are \[32, 32, 3\]/,
  );
});
