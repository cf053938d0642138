import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../backend';
import { MACRO_PLAIN_CNN, macroFromKey, macroMacs, type MacroGenotype } from '../space/macro-space';
import { buildMacroNet, disposeMacroNet, macroLayout } from './macro-net';
import { buildMacroInferenceGraph, macroInferenceModel } from './macro-net-export';
import { countParams } from './supernet';
import { trainBriefly } from './test-utils/train';

/**
 * The macro network on the functional stack and its exported standard-layers twin: every kind of
 * block (conv/separable k3/5/7, skips with and without projection, BN on and off, each pooling,
 * both heads) gives the same eval-mode logits in both after training steps; seeds fix the weights.
 */
const CASES: [string, MacroGenotype][] = [
  ['plain CNN', MACRO_PLAIN_CNN],
  ['BN, separable, skips, avg pool', macroFromKey('sep3-16+,conv5-16+/avg sep7-32+,conv3-32/max bn=1 drop=0.25 dense=64')],
  ['no pooling: GAP head, no dense', macroFromKey('conv7-16+,sep5-32/none bn=1 drop=0 dense=0')],
  ['no BN, skips, flatten, no dense', macroFromKey('sep5-16+,conv3-16+/max conv3-32+/max conv3-32/avg bn=0 drop=0.5 dense=0')],
];
const SHAPE: [number, number, number] = [16, 16, 3];

describe.each(['cpu', 'wasm'])('on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  // On cpu one case (the one with every kind of block): its backward takes ~20 s there.
  test.each(backend === 'cpu' ? CASES.slice(1, 2) : CASES)('%s: trained eval-mode logits equal the exported model\'s (≤ 1e-5)', (_n, g) => {
    const before = tf.memory().numTensors;
    const net = buildMacroNet(g, { inputShape: SHAPE, numClasses: 5, seed: 3 });
    const x = tf.randomNormal([6, ...SHAPE], 0, 1, 'float32', 1) as tf.Tensor4D;
    trainBriefly(net, x, 3, 0.02);
    const bnMean = net.buffers['s1b1_bn/mean'];
    if (g.batchNorm) expect(Math.abs(bnMean.dataSync()[0])).toBeGreaterThan(1e-4); // the running statistics moved
    const inf = macroInferenceModel(net);
    const [a, b] = [net.predict(x), inf.predict(x) as tf.Tensor];
    expect(b.shape).toEqual([6, 5]);
    expect(tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0])).toBeLessThanOrEqual(1e-5);
    expect(tf.tidy(() => tf.max(tf.abs(a)).dataSync()[0])).toBeGreaterThan(1e-3);
    expect(inf.countParams()).toBe(countParams(net.weights) + nonTrainable(net));
    tf.dispose([a, b, x]);
    inf.dispose();
    disposeMacroNet(net);
    expect(tf.memory().numTensors).toBe(before);
  });
});

/** The exported model counts BatchNorm's running statistics among its weights. */
function nonTrainable(net: ReturnType<typeof buildMacroNet>): number {
  return Object.values(net.buffers).reduce((s, v) => s + v.size, 0);
}

describe('macro network', () => {
  beforeAll(async () => {
    await useBackend('wasm');
  });

  test('the same seed gives the same weights, another seed others; Glorot-uniform bounds; zero biases', () => {
    const before = tf.memory().numTensors;
    const cfg = { inputShape: [32, 32, 3] as [number, number, number], numClasses: 10, seed: 0 };
    const [a, b, c] = [buildMacroNet(MACRO_PLAIN_CNN, cfg), buildMacroNet(MACRO_PLAIN_CNN, cfg), buildMacroNet(MACRO_PLAIN_CNN, { ...cfg, seed: 1 })];
    const w = (n: ReturnType<typeof buildMacroNet>, k: string) => Array.from(n.weights[k].dataSync());
    expect(w(a, 's1b1_conv.weight')).toEqual(w(b, 's1b1_conv.weight'));
    expect(w(a, 's1b1_conv.weight')).not.toEqual(w(c, 's1b1_conv.weight'));
    // conv 3×3, 3 → 32: fans 27 and 288; dense 8·8·64 → 128.
    const bound = Math.sqrt(6 / (27 + 288));
    const k = w(a, 's1b1_conv.weight');
    expect(Math.max(...k.map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...k.map(Math.abs))).toBeGreaterThan(0.9 * bound);
    expect(a.weights['dense.weight'].shape).toEqual([8 * 8 * 64, 128]);
    expect(w(a, 'dense.bias').every((v) => v === 0)).toBe(true);
    // The plain CNN's parameters: conv 896 + 18,496, dense 524,416, logits 1,290.
    expect(countParams(a.weights)).toBe(896 + 18496 + 524416 + 1290);
    [a, b, c].forEach(disposeMacroNet);
    expect(tf.memory().numTensors).toBe(before);
  });

  test('layout: pooling stops at 1×1, the head flattens up to 8×8 and averages above; MACs agree with the space', () => {
    const g = macroFromKey('conv3-16/max conv3-16/max conv3-16/max bn=0 drop=0 dense=0');
    expect(macroLayout(g, [2, 2, 3]).stages.map((s) => s.pool)).toEqual(['max', 'none', 'none']);
    expect(macroLayout(macroFromKey('conv3-16/none bn=0 drop=0 dense=0'), [32, 32, 3])).toMatchObject({ head: 'gap', features: 16 });
    expect(macroLayout(MACRO_PLAIN_CNN, [32, 32, 3])).toMatchObject({ head: 'flatten', features: 8 * 8 * 64 });
    expect(macroMacs(MACRO_PLAIN_CNN, [32, 32, 3], 10)).toBeGreaterThan(0);
  });

  test('training forwards draw dropout from (seed, epoch, step): the same state gives the same logits', () => {
    const before = tf.memory().numTensors;
    const net = buildMacroNet(MACRO_PLAIN_CNN, { inputShape: SHAPE, numClasses: 4, seed: 0 });
    const x = tf.randomNormal([4, ...SHAPE], 0, 1, 'float32', 2) as tf.Tensor4D;
    const run = (step: number) =>
      tf.tidy(() => Array.from(net.forward(x, { training: true, w: net.weights, buffers: net.buffers, bnUpdates: null, dropPath: { rate: 0.5, seed: 9, epoch: 0, step } }).logits.dataSync()));
    expect(run(1)).toEqual(run(1));
    expect(run(1)).not.toEqual(run(2));
    x.dispose();
    disposeMacroNet(net);
    expect(tf.memory().numTensors).toBe(before);
  });

  test('the exported graph uses only standard layers and names them after the parameters', () => {
    const { model, merges } = buildMacroInferenceGraph(CASES[1][1], { inputShape: SHAPE, numClasses: 5, seed: 0 });
    expect(model.layers.map((l) => l.name)).toContain('s1b1_sep');
    expect(merges.s1b1_sep).toEqual(['s1b1_dw', 's1b1_pw']);
    expect(model.layers.some((l) => l.getClassName().startsWith('Tfnas'))).toBe(false);
    model.dispose();
  });
});
