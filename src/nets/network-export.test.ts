import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../backend';
import { CELL_OP_NAMES, CELL_OPS } from '../ops/cell-ops';
import { OpContext, ParamBuilder } from '../ops/context';
import { builtinGenotype } from '../space/builtin-genotypes';
import type { DartsGenotype } from '../space/genotype-types';
import { Rng } from '../space/rng';
import { buildNetwork, disposeNetwork } from './network';
import { copyNamedWeights, toInferenceModel } from './network-export';
import { BuildContext, edgeOp } from './network-ops';
import { ALL_OPS, TINY } from './test-utils/fixtures';
import { trainBriefly } from './test-utils/train';

/**
 * One op registry for training and export: every candidate op's functional form (ops/cell-ops.ts)
 * and its exported standard-layers form (network-ops.ts) compute the same output on the same
 * weights; and a trained network's eval-mode logits equal its exported model's.
 */
const backends = ['cpu', 'wasm'];

/** Random values for every weight and statistic (variance positive), so that no term is trivially 0 or 1. */
function randomise(b: ParamBuilder, rng: Rng): void {
  tf.tidy(() => {
    for (const v of [...Object.values(b.params), ...Object.values(b.buffers)]) {
      v.assign(tf.tensor(Float32Array.from({ length: v.size }, () => rng.normal()), v.shape));
    }
    for (const [name, v] of Object.entries(b.buffers)) if (name.endsWith('/var')) v.assign(tf.add(tf.abs(v), 0.5));
  });
}

describe.each(backends)('on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  test.each(CELL_OP_NAMES.flatMap((op) => [1, 2].map((stride) => [op, stride] as const)))('%s at stride %d: functional = exported layers', (op, stride) => {
    const before = tf.memory().numTensors;
    const C = 4;
    const b = new ParamBuilder(new Rng(1));
    const name = `t_${op}`;
    const f = CELL_OPS[op](b, name, C, stride);
    randomise(b, new Rng(2));
    const input = tf.input({ shape: [8, 8, C] });
    const ctx: BuildContext = { merges: {} };
    const { y } = edgeOp(ctx, name, op, input, stride);
    const model = tf.model({ inputs: input, outputs: y });
    copyNamedWeights(model, ctx.merges, { weights: b.params, buffers: b.buffers });
    const x = tf.randomNormal([2, 8, 8, C], 0, 1, 'float32', 3) as tf.Tensor4D;
    const opCtx: OpContext = { training: false, w: b.params, buffers: b.buffers, bnUpdates: null };
    const [a, e] = [tf.tidy(() => f.apply(x, opCtx)), model.predict(x) as tf.Tensor];
    expect(e.shape).toEqual(a.shape);
    expect(a.shape).toEqual([2, 8 / stride, 8 / stride, C]);
    const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(a, e))).dataSync()[0]);
    const scale = tf.tidy(() => tf.max(tf.abs(a)).dataSync()[0]);
    expect(scale).toBeGreaterThan(1e-2);
    expect(diff).toBeLessThanOrEqual(1e-5 * Math.max(1, scale));
    tf.dispose([x, a, e]);
    model.dispose();
    tf.dispose([...Object.values(b.params), ...Object.values(b.buffers)]);
    expect(tf.memory().numTensors).toBe(before);
  });

  // On wasm only: the cpu backend takes ~20 s per network here, and the ops are compared on both above.
  (backend === 'wasm' ? test.each : test.skip.each)([
    ['ALL_OPS', ALL_OPS],
    ['DARTS_V2', builtinGenotype('DARTS_V2') as DartsGenotype],
  ])('trained %s: eval-mode logits equal the exported model\'s (≤ 1e-5)', (_n, genotype) => {
    const before = tf.memory().numTensors;
    const net = buildNetwork(genotype, TINY);
    const x = tf.randomNormal([4, ...TINY.inputShape], 0, 1, 'float32', 1) as tf.Tensor4D;
    trainBriefly(net, x, 3);
    // The statistics moved: the comparison covers running mean and variance, not their init values.
    expect(Math.abs(net.buffers['stem_bn/mean'].dataSync()[0])).toBeGreaterThan(1e-4);
    const inf = toInferenceModel(net);
    const a = net.predict(x);
    const b = inf.predict(x) as tf.Tensor;
    expect(b.shape).toEqual([4, TINY.numClasses]);
    expect(tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0])).toBeLessThanOrEqual(1e-5);
    expect(tf.tidy(() => tf.max(tf.abs(a)).dataSync()[0])).toBeGreaterThan(1e-3);
    // Only standard layers; no drop-path, no auxiliary head; the counts agree.
    expect(inf.layers.filter((l) => l.getClassName().startsWith('Tfnas'))).toEqual([]);
    expect(inf.layers.some((l) => l.name.startsWith('auxiliary'))).toBe(false);
    const infParams = inf.trainableWeights.reduce((s, w) => s + w.shape.reduce((p: number, d) => p * (d as number), 1), 0);
    const netParams = Object.entries(net.weights).filter(([k]) => !k.startsWith('auxiliary_')).reduce((s, [, v]) => s + v.size, 0);
    expect(infParams).toBe(netParams);
    tf.dispose([a, b, x]);
    inf.dispose();
    disposeNetwork(net);
    expect(tf.memory().numTensors).toBe(before);
  });
});
