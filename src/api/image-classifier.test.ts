import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { tf, useBackend } from '../backend';
import { DATASETS } from '../data';
import { describeWithShared, sharedPath } from '../data/test-utils/shared';
import { TfnasError } from '../io/errors';
import { loadModel } from '../nets/network-io';
import { MACRO_INITIAL } from '../space/macro-space';
import { ImageClassifier, type Trial } from './image-classifier';

jest.setTimeout(300_000);
let dir: string;
beforeAll(async () => {
  await useBackend('wasm', () => undefined);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tfnas-ic-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Three classes told apart by which colour channel is bright: learnable in one epoch. */
function images(n: number, seed: number): { x: tf.Tensor4D; y: tf.Tensor1D } {
  const labels = Array.from({ length: n }, (_, i) => (i * 7 + seed) % 3);
  const x = tf.tidy(() => {
    const noise = tf.randomUniform([n, 8, 8, 3], 0, 80, 'float32', seed);
    const bright = tf.oneHot(tf.tensor1d(labels, 'int32'), 3).reshape([n, 1, 1, 3]).mul(170);
    return noise.add(bright) as tf.Tensor4D;
  });
  return { x, y: tf.tensor1d(labels, 'int32') };
}

const quiet = { log: () => undefined, backend: 'wasm', batchSize: 16 };

describe('ImageClassifier', () => {
  it('fits, predicts, evaluates, exports a browser-ready model and draws its best network', async () => {
    const train = images(96, 1);
    const test = images(30, 2);
    const before = tf.memory().numTensors;
    const trials: Trial[] = [];
    const clf = new ImageClassifier({ maxTrials: 4, epochs: 2, seed: 1, directory: path.join(dir, 'fit'), ...quiet });
    const s = await clf.fit(train.x, train.y, { validationSplit: 0.25, onTrial: (t) => trials.push(t) });
    expect(trials.map((t) => t.trial)).toEqual([1, 2, 3, 4]);
    // The search starts from MACRO_INITIAL (the plain CNN first), then evolves from them.
    expect(trials.slice(0, 3).map((t) => t.architecture)).toEqual(MACRO_INITIAL);
    expect(MACRO_INITIAL).not.toContain(trials[3].architecture);
    // The classifier is the best architecture refit on all 96 images: 2 epochs of 6 batches of 16.
    const saved = JSON.parse(fs.readFileSync(path.join(dir, 'fit', 'classifier.json'), 'utf8')) as { modelDir: string; refit: boolean };
    expect(saved.refit).toBe(true);
    expect(path.relative(path.join(dir, 'fit'), saved.modelDir)).toBe(path.join(`refit-${String(s.best.trial).padStart(4, '0')}`, 'model'));
    expect(fs.readFileSync(path.join(dir, 'fit', `refit-${String(s.best.trial).padStart(4, '0')}`, 'log.csv'), 'utf8').trim().split('\n')).toHaveLength(3);
    expect(s.trials).toEqual(trials.map(({ trial, architecture, valAccuracy }) => ({ trial, architecture, valAccuracy })));
    expect(s.best.valAccuracy).toBe(Math.max(...trials.map((t) => t.valAccuracy)));
    expect(s.drawn).toMatch(/^input\s+8×8×3/);
    expect(s.drawn).toMatch(/logits\s+3/);

    const probs = clf.predict(test.x);
    expect(probs.shape).toEqual([30, 3]);
    const sums = tf.sum(probs, -1);
    expect(Array.from(await sums.data()).every((v) => Math.abs(v - 1) < 1e-4)).toBe(true);
    const e = await clf.evaluate(test.x, test.y);
    expect(e.count).toBe(30);
    expect(e.accuracy).toBeGreaterThan(0.6); // chance: 1/3

    const file = await clf.export(path.join(dir, 'web'));
    const loaded = await loadModel(path.dirname(file));
    const again = loaded.predict(test.x) as tf.Tensor;
    expect(tf.tidy(() => tf.max(tf.abs(tf.sub(again, probs))).dataSync()[0])).toBeLessThan(1e-5);
    tf.dispose([probs, sums, again]);
    loaded.dispose();

    const reloaded = await ImageClassifier.load(path.join(dir, 'fit'), quiet);
    expect(reloaded.summary().best).toEqual(s.best);
    reloaded.dispose();
    clf.dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([train.x, train.y, test.x, test.y]);
  });

  it('an aborted fit resumes from its folder without training the finished trials again', async () => {
    const train = images(64, 3);
    const directory = path.join(dir, 'resume');
    const options = { maxTrials: 3, epochs: 1, seed: 4, strategy: 'random' as const, directory, ...quiet };
    const controller = new AbortController();
    const first = new ImageClassifier(options);
    const err = await first.fit(train.x, train.y, { signal: controller.signal, onTrial: (t) => t.trial === 2 && controller.abort() }).catch((x: unknown) => x);
    expect(err).toBeInstanceOf(TfnasError);
    expect((err as TfnasError).code).toBe('ABORTED');
    const log1 = fs.readFileSync(path.join(directory, 'search', 'candidates', '0001', 'log.csv'), 'utf8');

    const seen: number[] = [];
    const s = await new ImageClassifier(options).fit(train.x, train.y, { onTrial: (t) => seen.push(t.trial) });
    expect(seen).toEqual([3]);
    expect(s.trials.map((t) => t.trial)).toEqual([1, 2, 3]);
    expect(fs.readFileSync(path.join(directory, 'search', 'candidates', '0001', 'log.csv'), 'utf8')).toBe(log1);
    tf.dispose([train.x, train.y]);
  });

  it('refit: false keeps the best trial\'s own network; initial: the architectures tried first', async () => {
    const train = images(48, 5);
    const first = ['conv3-16/max bn=1 drop=0 dense=0', 'sep3-16+/avg bn=0 drop=0 dense=64'];
    const directory = path.join(dir, 'no-refit');
    const clf = new ImageClassifier({ maxTrials: 2, epochs: 1, seed: 2, directory, refit: false, initial: first, ...quiet });
    const s = await clf.fit(train.x, train.y);
    expect(s.trials.map((t) => t.architecture)).toEqual(first);
    const saved = JSON.parse(fs.readFileSync(path.join(directory, 'classifier.json'), 'utf8')) as { modelDir: string };
    expect(saved.modelDir).toBe(path.join(directory, 'search', 'candidates', String(s.best.trial).padStart(4, '0'), 'model'));
    expect(fs.readdirSync(directory).some((f) => f.startsWith('refit'))).toBe(false);
    clf.dispose();
    tf.dispose([train.x, train.y]);
  });

  it('names a bad option', () => {
    expect(() => new ImageClassifier({ maxTrials: 0 })).toThrow(expect.objectContaining({ code: 'BAD_OPTION', option: 'maxTrials' }));
    expect(() => new ImageClassifier({ space: 'nb201' as never })).toThrow(/space: expected macro or darts/);
  });
});

describeWithShared('cifar10-jpeg/test_batch.bin', 'ImageClassifier on real CIFAR-10')('ImageClassifier on the CIFAR-10 subset', () => {
  it('fits 2 trials on 2,000 images and beats chance on 500 test images', async () => {
    const d = DATASETS.cifar10.load({ dir: sharedPath('cifar10-jpeg'), trainLimit: 2000, testLimit: 500 });
    const clf = new ImageClassifier({ maxTrials: 2, epochs: 3, directory: path.join(dir, 'cifar'), ...quiet, batchSize: 32 });
    await clf.fit(d.train.images, d.train.labels, { shape: d.shape });
    const e = await clf.evaluate(d.test.images, d.test.labels);
    expect(e.count).toBe(500);
    expect(e.accuracy).toBeGreaterThan(0.2); // chance: 0.1
    clf.dispose();
  });
});
