import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../backend';
import { makeSynthetic } from '../data/synthetic';
import { BatchLoader } from '../data/loader';
import { fileLoadHandler } from '../nets/network-io';
import { builtinGenotype } from '../space/builtin-genotypes';
import type { DartsGenotype } from '../space/genotype-types';
import { ALL_OPS } from '../nets/test-utils/fixtures';
import { retrain, RETRAIN_DEFAULTS, RetrainOptions } from './retrain';
import { Trainer } from './retrain-trainer';
import { NonFiniteLossError } from './runner';

const DARTS_V2 = builtinGenotype('DARTS_V2') as DartsGenotype;
// 8×8 images, 4 classes: 3 cells put 2×2 maps at the auxiliary head (the smallest it takes).
const data = makeSynthetic({ size: 8, classes: 4, trainCount: 256, testCount: 128, seed: 1 });

let root: string;

function options(runDir: string, over: Partial<RetrainOptions> = {}): RetrainOptions {
  return {
    ...RETRAIN_DEFAULTS,
    genotype: DARTS_V2,
    genotypeName: 'DARTS_V2',
    C: 4,
    layers: 3,
    batchSize: 32,
    epochs: 3,
    lr: 0.05,
    cropPadding: 1,
    cutout: 2,
    runDir,
    resume: false,
    log: () => undefined,
    ...over,
  };
}

beforeAll(async () => {
  // wasm: the cpu backend takes minutes for these few epochs. Runs on wasm are deterministic
  // (same seed → same bytes), which the resume test relies on.
  await useBackend('wasm');
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'tfnas-retrain-'));
});

afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

test('a short retraining learns clearly above chance, leaves no tensors behind and writes a loadable model', async () => {
  const before = tf.memory().numTensors;
  const runDir = path.join(root, 'learn');
  const r = await retrain(data, options(runDir));
  expect(tf.memory().numTensors).toBe(before);
  // 4 classes: chance is 25%.
  expect(r.test.accuracy).toBeGreaterThan(0.6);
  expect(r.rows.map((row) => Number(row.epoch))).toEqual([1, 2, 3]);
  const header = fs.readFileSync(path.join(runDir, 'log.csv'), 'utf8').split('\n')[0];
  expect(header).toBe('epoch,lr,train_loss,train_acc,valid_loss,valid_acc,seconds');
  const metrics = JSON.parse(fs.readFileSync(path.join(runDir, 'metrics.json'), 'utf8'));
  expect(metrics.test_accuracy).toBe(r.test.accuracy);
  expect(metrics.params_without_auxiliary).toBe(r.paramsWithoutAuxiliary);
  expect(fs.readFileSync(path.join(runDir, 'confusion.csv'), 'utf8').split('\n')[0]).toMatch(/^true_class,pred_class0/);

  const model = await tf.loadLayersModel(fileLoadHandler(path.join(runDir, 'model')));
  expect(model.layers.some((l) => l.getClassName().startsWith('Tfnas') || l.name.startsWith('auxiliary'))).toBe(false);
  const x = tf.zeros([2, 8, 8, 3]);
  const y = model.predict(x) as tf.Tensor;
  expect(y.shape).toEqual([2, 4]);
  tf.dispose([x, y]);
  model.dispose();
  expect(tf.memory().numTensors).toBe(before);
});

test('resuming after an interruption gives exactly the run that was not interrupted', async () => {
  const full = path.join(root, 'full');
  const cut = path.join(root, 'cut');
  const o = { genotype: ALL_OPS, epochs: 2, dropPath: 0.3 };
  await retrain(data, options(full, o));
  // Interrupt after the first epoch's checkpoint (the runner logs after saving).
  const stop = (line: string) => {
    if (line.startsWith('epoch 1/2')) throw new Error('interrupted');
  };
  await expect(retrain(data, options(cut, { ...o, log: stop }))).rejects.toThrow('interrupted');
  expect(fs.existsSync(path.join(cut, 'model'))).toBe(false);
  await expect(retrain(data, options(cut, o))).rejects.toThrow(/--resume/);
  await retrain(data, options(cut, { ...o, resume: true }));

  const strip = (dir: string) =>
    fs.readFileSync(path.join(dir, 'log.csv'), 'utf8').split('\n').map((l) => l.split(',').slice(0, -1).join(','));
  expect(strip(cut)).toEqual(strip(full));
  const weights = (dir: string) => fs.readFileSync(path.join(dir, 'model', 'weights.bin'));
  expect(weights(cut).equals(weights(full))).toBe(true);
});

test('a resumed run refuses a checkpoint made with other settings', async () => {
  const dir = path.join(root, 'mismatch');
  await retrain(data, options(dir, { epochs: 1 }));
  await expect(retrain(data, options(dir, { epochs: 1, C: 6, resume: true }))).rejects.toThrow(/checkpoint .* was made with C = 4, this run has 6/);
});

describe('training steps', () => {
  test('steps are leak-free and a non-finite loss stops before the weights change', async () => {
    const trainer = new Trainer(DARTS_V2, { C: 4, layers: 3, numClasses: 4, auxiliary: true, inputShape: [8, 8, 3], seed: 0 }, {
      momentum: 0.9, weightDecay: 3e-4, gradClip: 5, auxWeight: 0.4,
    });
    trainer.dropPath = { rate: 0.2, seed: 1, epoch: 0, step: 0 };
    const loader = new BatchLoader(data, 'train', null, { batchSize: 16, seed: 0 });
    const b = loader.next();
    await trainer.step(b.x, b.y, 0.01, 0, 0); // creates the momentum buffers
    const after1 = tf.memory().numTensors;
    await trainer.step(b.x, b.y, 0.01, 0, 1);
    await trainer.step(b.x, b.y, 0.01, 0, 2);
    expect(tf.memory().numTensors).toBe(after1);

    const kernel = trainer.params['classifier.weight'];
    const bias = trainer.params['classifier.bias'];
    const biasBefore = Array.from(bias.dataSync());
    const statsBefore = Array.from(trainer.net.buffers['stem_bn/mean'].dataSync());
    const nan = tf.fill(kernel.shape, NaN);
    kernel.assign(nan);
    nan.dispose();
    await expect(trainer.step(b.x, b.y, 0.01, 0, 3)).rejects.toThrow(NonFiniteLossError);
    expect(Array.from(bias.dataSync())).toEqual(biasBefore);
    expect(Array.from(trainer.net.buffers['stem_bn/mean'].dataSync())).toEqual(statsBefore);
    expect(tf.memory().numTensors).toBe(after1);
    tf.dispose([b.x, b.y]);
    trainer.dispose();
  });

  test.each(['cells', 'edges'] as const)('--recompute %s and none give the same loss, weights and statistics after an SGD step', async (mode) => {
    const cfg = { C: 4, layers: 3, numClasses: 4, auxiliary: true, inputShape: [8, 8, 3] as [number, number, number], seed: 0 };
    const opts = { momentum: 0.9, weightDecay: 3e-4, gradClip: 5, auxWeight: 0.4 };
    const b = new BatchLoader(data, 'train', null, { batchSize: 16, seed: 1 }).next();
    const run = async (recompute: 'cells' | 'edges' | 'none') => {
      const trainer = new Trainer(ALL_OPS, cfg, { ...opts, recompute });
      trainer.dropPath = { rate: 0.3, seed: 5, epoch: 0, step: 0 };
      const r = await trainer.step(b.x, b.y, 0.1, 0, 0);
      const all = { ...trainer.params, ...trainer.net.buffers };
      const weights = Object.fromEntries(Object.entries(all).map(([k, v]) => [k, Array.from(v.dataSync())]));
      trainer.dispose();
      return { loss: r.loss, weights };
    };
    const plain = await run('none');
    const ckpt = await run(mode);
    expect(ckpt.loss).toBeCloseTo(plain.loss, 5);
    const off = Object.keys(plain.weights).filter((k) => !plain.weights[k].every((v, i) => Math.abs(v - ckpt.weights[k][i]) <= 1e-5 * Math.max(1, Math.abs(v))));
    expect(off).toEqual([]);
    tf.dispose([b.x, b.y]);
  });
});
