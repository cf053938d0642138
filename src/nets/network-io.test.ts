import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../backend';
import { buildNetwork, disposeNetwork, toInferenceModel } from './network';
import { loadModel, MODEL_JSON, saveModel, WEIGHTS_BIN } from './network-io';
import { ALL_OPS, TINY } from './test-utils/fixtures';

let dir: string;

beforeAll(async () => {
  await useBackend('cpu');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tfnas-netio-'));
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('saved inference model', () => {
  test('save → tf.loadLayersModel → identical predictions; no drop-path, no auxiliary head, no custom layers', async () => {
    const before = tf.memory().numTensors;
    const net = buildNetwork(ALL_OPS, TINY);
    const x = tf.randomNormal([3, ...TINY.inputShape], 0, 1, 'float32', 4);
    net.dropPath.rate = 0.2;
    tf.dispose(net.model.apply(x, { training: true }) as tf.Tensor[]); // non-trivial BatchNorm statistics
    const inf = toInferenceModel(net);
    const modelDir = path.join(dir, 'model');
    await saveModel(inf, modelDir, { tfnas: { genotype: ALL_OPS } });
    expect(fs.readdirSync(modelDir).sort()).toEqual([MODEL_JSON, WEIGHTS_BIN].sort());

    const loaded = await loadModel(modelDir);
    const a = inf.predict(x) as tf.Tensor;
    const b = loaded.predict(x) as tf.Tensor;
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    expect(loaded.getUserDefinedMetadata()).toEqual({ tfnas: { genotype: ALL_OPS } });

    const json = fs.readFileSync(path.join(modelDir, MODEL_JSON), 'utf8');
    // No custom class (TfnasDropPath, TfnasDilatedDepthwiseConv2D), no drop-path or auxiliary layer.
    expect(/Tfnas[A-Z]|droppath|auxiliary/.test(json)).toBe(false);
    const classes = new Set(loaded.layers.map((l) => l.getClassName()));
    const standard = ['InputLayer', 'Conv2D', 'BatchNormalization', 'ReLU', 'ZeroPadding2D', 'DepthwiseConv2D', 'SeparableConv2D',
      'MaxPooling2D', 'AveragePooling2D', 'Cropping2D', 'Concatenate', 'Add', 'GlobalAveragePooling2D', 'Dense'];
    expect([...classes].filter((c) => !standard.includes(c))).toEqual([]);
    expect(loaded.outputs.length).toBe(1);

    tf.dispose([x, a, b]);
    loaded.dispose();
    inf.dispose();
    disposeNetwork(net);
    expect(tf.memory().numTensors).toBe(before);
  });

  test('saving again replaces the folder whole; a missing or damaged model gives a clear error', async () => {
    const net = buildNetwork(ALL_OPS, { ...TINY, auxiliary: false });
    const inf = toInferenceModel(net);
    const modelDir = path.join(dir, 'again');
    await saveModel(inf, modelDir);
    fs.writeFileSync(path.join(modelDir, 'stale.txt'), 'x');
    await saveModel(inf, modelDir);
    expect(fs.existsSync(path.join(modelDir, 'stale.txt'))).toBe(false);
    await expect(loadModel(path.join(dir, 'nothing-here'))).rejects.toThrow(/model\.json does not exist/);
    fs.rmSync(path.join(modelDir, WEIGHTS_BIN));
    await expect(loadModel(modelDir)).rejects.toThrow(/weights\.bin .* is missing/);
    fs.writeFileSync(path.join(modelDir, MODEL_JSON), '{"oops": ');
    await expect(loadModel(modelDir)).rejects.toThrow(/not valid JSON/);
    inf.dispose();
    disposeNetwork(net);
  });
});
