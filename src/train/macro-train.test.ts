import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../backend';
import { makeSynthetic } from '../data/synthetic';
import { disposeMacroNet } from '../nets/macro-net';
import { loadModel } from '../nets/network-io';
import { macroFromKey } from '../space/macro-space';
import { trainMacro, MACRO_TRAIN_DEFAULTS, type MacroTrainOptions } from './macro-train';

const data = makeSynthetic({ size: 8, classes: 4, trainCount: 256, testCount: 128, seed: 1 });
// Every kind of state: BatchNorm statistics, a projection, dropout, the dense head.
const G = macroFromKey('conv3-16,sep3-32+/max bn=1 drop=0.25 dense=64');
let root: string;

const options = (runDir: string, over: Partial<MacroTrainOptions> = {}): MacroTrainOptions => ({
  ...MACRO_TRAIN_DEFAULTS, genotype: G, epochs: 3, batchSize: 32, seed: 2, runDir, resume: false, log: () => undefined, ...over,
});

beforeAll(async () => {
  await useBackend('wasm');
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'tfnas-macro-'));
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

test('learns above chance, leaves no tensors but the returned network, saves the exported model with its metadata', async () => {
  const before = tf.memory().numTensors;
  const runDir = path.join(root, 'learn');
  const r = await trainMacro(data, options(runDir));
  expect(r.test.accuracy).toBeGreaterThan(0.6); // chance: 25%
  expect(r.params).toBe(Object.values(r.model.weights).reduce((s, v) => s + v.size, 0));
  expect(fs.readFileSync(path.join(runDir, 'log.csv'), 'utf8').split('\n')[0]).toBe('epoch,train_loss,train_acc,seconds');
  const model = await loadModel(r.modelDir);
  const meta = (model.getUserDefinedMetadata() as { tfnas: Record<string, unknown> }).tfnas;
  expect(meta).toEqual({ genotype: 'conv3-16,sep3-32+/max bn=1 drop=0.25 dense=64', space: 'macro', mean: data.mean, std: data.std, classNames: data.classNames, dataset: data.name });
  const x = tf.randomNormal([5, 8, 8, 3], 0, 1, 'float32', 4) as tf.Tensor4D;
  const [a, b] = [r.model.predict(x), model.predict(x) as tf.Tensor];
  expect(tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0])).toBeLessThanOrEqual(1e-5);
  tf.dispose([x, a, b]);
  model.dispose();
  disposeMacroNet(r.model);
  expect(tf.memory().numTensors).toBe(before);
});

test('resuming after an interruption gives exactly the run that was not interrupted (weights, BN statistics, Adam moments)', async () => {
  const before = tf.memory().numTensors;
  const [full, cut] = [path.join(root, 'full'), path.join(root, 'cut')];
  const o = { epochs: 2 };
  disposeMacroNet((await trainMacro(data, options(full, o))).model);
  const stop = (line: string) => {
    if (line.startsWith('epoch 1/2')) throw new Error('interrupted');
  };
  await expect(trainMacro(data, options(cut, { ...o, log: stop }))).rejects.toThrow('interrupted');
  const state = JSON.parse(fs.readFileSync(path.join(cut, 'checkpoint', 'state.json'), 'utf8'));
  expect(state).toMatchObject({ epoch: 0, adamSteps: 8 });
  const names = JSON.parse(fs.readFileSync(path.join(cut, 'checkpoint', 'tensors.json'), 'utf8')).tensors.map((t: { name: string }) => t.name);
  expect(names).toEqual(expect.arrayContaining(['weight/s1b1_conv', 'buffer/s1b1_bn/var', 'm/s1b2_dw', 'v/logits.bias']));
  await expect(trainMacro(data, options(cut, o))).rejects.toThrow(/--resume/);
  disposeMacroNet((await trainMacro(data, options(cut, { ...o, resume: true }))).model);
  const strip = (dir: string) => fs.readFileSync(path.join(dir, 'log.csv'), 'utf8').split('\n').map((l) => l.split(',').slice(0, -1).join(','));
  expect(strip(cut)).toEqual(strip(full));
  const weights = (dir: string) => fs.readFileSync(path.join(dir, 'model', 'weights.bin'));
  expect(weights(cut).equals(weights(full))).toBe(true);
  expect(tf.memory().numTensors).toBe(before);
});

test('a resumed run refuses a checkpoint of another genotype', async () => {
  const dir = path.join(root, 'mismatch');
  disposeMacroNet((await trainMacro(data, options(dir, { epochs: 1 }))).model);
  const before = tf.memory().numTensors;
  const other = macroFromKey('conv3-16/max bn=0 drop=0 dense=0');
  await expect(trainMacro(data, options(dir, { epochs: 1, genotype: other, resume: true }))).rejects.toThrow(/checkpoint .* was made with genotype = /);
  expect(tf.memory().numTensors).toBe(before);
});
