import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../backend';
import { makeSynthetic } from '../data/synthetic';
import { disposeMacroNet } from '../nets/macro-net';
import { loadModel } from '../nets/network-io';
import { MACRO_PLAIN_CNN, macroFromKey, macroToKey } from '../space/macro-space';
import { trainMacro } from '../train/macro-train';
import { runCli } from './test-utils/run-cli';

/** `tfnas export` of the macro space: keys, JSON, search run and candidate folders, the browser model. */
const KEY = 'conv3-32/max conv3-64/max bn=0 drop=0.5 dense=128';
const run = (...argv: string[]) => runCli(argv);
let dir: string;

beforeAll(async () => {
  await useBackend('wasm');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tfnas-export-macro-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

test('a key (with or without --space macro) as JSON and key; the JSON file reads back', async () => {
  const json = await run('export', '--space', 'macro', '--genotype', KEY);
  expect(json).toMatchObject({ code: 0, err: '' });
  expect(JSON.parse(json.out)).toEqual(MACRO_PLAIN_CNN);
  const file = path.join(dir, 'plain.json');
  expect((await run('export', '--genotype', KEY, '--out', file)).code).toBe(0);
  const key = await run('export', '--genotype', file, '--format', 'key');
  expect(key).toMatchObject({ code: 0, out: KEY + '\n' });
  const inline = await run('export', '--space', 'macro', '--genotype', JSON.stringify(macroFromKey('sep5-16+/avg bn=1 drop=0 dense=0')), '--format', 'key');
  expect(inline.out).toBe('sep5-16+/avg bn=1 drop=0 dense=0\n');
});

test('a macro black-box search run folder gives its best architecture', async () => {
  const runDir = path.join(dir, 'bb');
  fs.mkdirSync(runDir);
  fs.writeFileSync(path.join(runDir, 'best.json'), JSON.stringify({ strategy: 'evolution', space: 'macro', best: KEY, genotype: MACRO_PLAIN_CNN }));
  expect(await run('export', '--genotype', runDir, '--format', 'key')).toMatchObject({ code: 0, out: KEY + '\n' });
});

test('a trained candidate folder as a browser model: raw pixels in, the trained network\'s probabilities out', async () => {
  const data = makeSynthetic({ size: 8, classes: 3, trainCount: 64, testCount: 16, seed: 2 });
  const g = macroFromKey('conv3-16+,sep3-16/max bn=1 drop=0.25 dense=0');
  const candidate = path.join(dir, 'candidates', '0001');
  const r = await trainMacro(data, { genotype: g, epochs: 1, batchSize: 16, lr: 1e-3, augment: false, seed: 0, runDir: candidate, resume: false, log: () => undefined });
  disposeMacroNet(r.model);
  const before = tf.memory().numTensors;
  const out = path.join(dir, 'web');
  const e = await run('export', '--genotype', candidate, '--format', 'model', '--out', out);
  expect(e).toMatchObject({ code: 0, out: '' });
  expect(e.err).toContain(`wrote model of folder ${candidate} to ${out}`);
  expect(fs.readdirSync(out).sort()).toEqual(['model.json', 'weights.bin']);
  // The same from the model folder itself, into the earlier export (replaced).
  expect((await run('export', '--genotype', path.join(candidate, 'model'), '--format', 'model', '--out', out)).code).toBe(0);
  const [browser, trained] = [await loadModel(out), await loadModel(r.modelDir)];
  expect((browser.getUserDefinedMetadata() as { tfnas: { architecture: string } }).tfnas.architecture).toBe(macroToKey(g));
  const pixels = tf.randomUniform([4, 8, 8, 3], 0, 255, 'float32', 1);
  const got = browser.predict(pixels) as tf.Tensor;
  const want = tf.tidy(() => tf.softmax(trained.predict(tf.div(tf.sub(tf.div(pixels, 255), data.mean), data.std)) as tf.Tensor));
  expect(tf.tidy(() => tf.max(tf.abs(tf.sub(got, want))).dataSync()[0])).toBeLessThan(1e-5);
  tf.dispose([pixels, got, want]);
  browser.dispose();
  trained.dispose();
  expect(tf.memory().numTensors).toBe(before);
});

test('exits 2 with a clear message, writing nothing', async () => {
  const busy = path.join(dir, 'busy');
  fs.mkdirSync(busy);
  fs.writeFileSync(path.join(busy, 'notes.txt'), 'mine');
  const cases: [string[], string][] = [
    [['--genotype', KEY, '--format', 'model', '--out', path.join(dir, 'never')], '--format model: the --genotype string names a genotype, not a trained network'],
    [['--genotype', KEY, '--format', 'svg'], '--format svg: the --genotype string is a macro-space chain network; use --format json, key or model'],
    [['--genotype', 'DARTS_V2', '--format', 'key'], '--format key: built-in DARTS_V2 is a DARTS-space genotype'],
    [['--space', 'macro', '--genotype', 'conv3-33/max bn=0 drop=0 dense=0'], 'is not in the macro space'],
    [['--space', 'macro', '--genotype', dir], 'holds no macro-space run'],
    [['--genotype', KEY, '--format', 'model'], '--out: --format model writes a folder'],
    [['--genotype', KEY, '--format', 'model', '--out', busy], `--out: ${busy} holds other files (notes.txt)`],
  ];
  for (const [args, message] of cases) {
    const r = await run('export', ...args);
    expect(r.err).toContain(message);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
  }
  expect(fs.existsSync(path.join(dir, 'never'))).toBe(false);
  expect(fs.readdirSync(busy)).toEqual(['notes.txt']);
});
