import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../backend';
import { buildNetwork, disposeNetwork } from './network';
import { toInferenceModel } from './network-export';
import { trainBriefly } from './test-utils/train';
import { UsageError } from '../io/errors';
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
    const x = tf.randomNormal([3, ...TINY.inputShape], 0, 1, 'float32', 4) as tf.Tensor4D;
    trainBriefly(net, x, 1); // non-trivial weights and BatchNorm statistics
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

  describe('weight files stay inside the model folder', () => {
    let modelDir: string;
    let secret: string;
    const setPaths = (paths: string[]) => {
      const json = JSON.parse(fs.readFileSync(path.join(modelDir, MODEL_JSON), 'utf8'));
      json.weightsManifest[0].paths = paths;
      fs.writeFileSync(path.join(modelDir, MODEL_JSON), JSON.stringify(json));
    };
    beforeAll(async () => {
      const net = buildNetwork(ALL_OPS, { ...TINY, auxiliary: false });
      const inf = toInferenceModel(net);
      modelDir = path.join(dir, 'confined', 'model');
      await saveModel(inf, modelDir);
      inf.dispose();
      disposeNetwork(net);
      // A file outside the model folder with exactly the right size: it would load if read.
      secret = path.join(dir, 'confined', 'secret.bin');
      fs.copyFileSync(path.join(modelDir, WEIGHTS_BIN), secret);
    });
    test.each([
      ['a path that climbs out', ['../secret.bin'], /"\.\.\/secret\.bin", which is outside/],
      ['a deep climb to /etc/passwd', ['../../../../../../../../etc/passwd'], /outside/],
      ['an absolute path', ['/etc/passwd'], /an absolute path/],
    ])('%s is refused, naming the path', async (_what, paths, message) => {
      // secret.bin has exactly the right size: were it read, the model would load.
      setPaths(paths);
      await expect(loadModel(modelDir)).rejects.toThrow(message);
      await expect(loadModel(modelDir)).rejects.toBeInstanceOf(UsageError);
    });

    test('a symbolic link inside the folder that points outside is refused', async () => {
      const link = path.join(modelDir, 'link.bin');
      fs.rmSync(link, { force: true });
      fs.symlinkSync(secret, link);
      setPaths(['./link.bin']);
      await expect(loadModel(modelDir)).rejects.toThrow(/symbolic link to .*secret\.bin outside/);
      fs.rmSync(link);
      // A linked folder leaving the model folder is refused the same way.
      fs.symlinkSync(path.dirname(secret), path.join(modelDir, 'up'));
      setPaths(['up/secret.bin']);
      await expect(loadModel(modelDir)).rejects.toThrow(/symbolic link/);
      fs.rmSync(path.join(modelDir, 'up'));
    });

    test('a truncated weights.bin is named with the expected size (UsageError), not a tfjs tensor-size error', async () => {
      setPaths([`./${WEIGHTS_BIN}`]);
      const bin = path.join(modelDir, WEIGHTS_BIN);
      const full = fs.readFileSync(bin);
      fs.writeFileSync(bin, full.subarray(0, full.byteLength - 100));
      try {
        const err = await loadModel(modelDir).catch((e) => e);
        expect(err).toBeInstanceOf(UsageError);
        expect(err.message).toContain(`need ${full.byteLength} bytes`);
        expect(err.message).toContain(`${bin} (${full.byteLength - 100} bytes)`);
      } finally {
        fs.writeFileSync(bin, full);
      }
      const ok = await loadModel(modelDir);
      ok.dispose();
    });
  });
});
