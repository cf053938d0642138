import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../backend';
import { builtinGenotype } from '../space/builtin-genotypes';
import type { DartsGenotype } from '../space/genotype-types';
import { Rng } from '../space/rng';
import { buildNetwork, countParams, disposeNetwork, formatParamsMillions } from './network';
import { BuildContext, depthwise, edgeOp } from './network-ops';
import { ALL_OPS, TINY } from './test-utils/fixtures';
import { applyBnUpdates } from '../ops/context';
import { batchGradients } from '../train/retrain-step';

const DARTS_V2 = builtinGenotype('DARTS_V2') as DartsGenotype;

function randomImages(n: number, shape: number[], seed: number): tf.Tensor4D {
  const rng = new Rng(seed);
  const size = n * shape.reduce((a, b) => a * b, 1);
  return tf.tensor4d(Float32Array.from({ length: size }, () => rng.normal()), [n, ...shape] as [number, number, number, number]);
}

beforeAll(async () => {
  await useBackend('cpu');
});

describe('parameter count (quark0/darts train.py "param size", count_parameters_in_MB)', () => {
  test('DARTS_V2 at C=36, 20 cells, 10 classes equals the reference with and without the auxiliary head', () => {
    const before = tf.memory().numTensors;
    const net = buildNetwork(DARTS_V2, { C: 36, layers: 20, numClasses: 10, auxiliary: true, inputShape: [32, 32, 3] });
    const counts = countParams(net);
    // The reference logs "param size = 3.349342MB" for DARTS_V2 (train.py excludes parameters whose
    // name contains "auxiliary"); the paper rounds it to 3.3M.
    expect(counts.params_without_auxiliary).toBe(3_349_342);
    // AuxiliaryHeadCIFAR on C_prev = 4·4·36 = 576 channels:
    //   conv1x1 576·128 = 73,728 + BN 2·128 = 256 + conv2x2 128·768·4 = 393,216 + BN 2·768 = 1,536
    //   + linear 768·10 + 10 = 7,690 → 476,426; 3,349,342 + 476,426 = 3,825,768. The same difference
    //   appears in chenxin061/pdarts issue #7 (3,433,798 vs 3,910,224 for PDARTS).
    expect(counts.params).toBe(3_825_768);
    expect(formatParamsMillions(counts.params_without_auxiliary)).toBe('3.3M');
    disposeNetwork(net);
    expect(tf.memory().numTensors).toBe(before);
  });

  test('without the auxiliary head the model has no auxiliary parameters', () => {
    const net = buildNetwork(DARTS_V2, { C: 36, layers: 20, numClasses: 10, auxiliary: false, inputShape: [32, 32, 3] });
    expect(countParams(net)).toEqual({ params: 3_349_342, params_without_auxiliary: 3_349_342 });
    disposeNetwork(net);
  });
});

/** Runs one edge op on a 1×4×4×1 ramp through a one-op model. */
function runOp(op: string, stride: number, input: number[]): number[] {
  const ctx: BuildContext = { merges: {} };
  const x = tf.input({ shape: [4, 4, 1] });
  const { y } = edgeOp(ctx, `t_${op}_${stride}`, op, x, stride);
  const m = tf.model({ inputs: x, outputs: y });
  const out = tf.tidy(() => Array.from((m.predict(tf.tensor4d(input, [1, 4, 4, 1])) as tf.Tensor).dataSync()));
  m.dispose();
  return out;
}

/** PyTorch pooling 3×3, padding 1 (max: −∞ padding; avg: count_include_pad=False), by hand. */
function refPool(kind: 'max' | 'avg', x: number[], stride: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < 4; i += stride) {
    for (let j = 0; j < 4; j += stride) {
      const win: number[] = [];
      for (let di = -1; di <= 1; di++) for (let dj = -1; dj <= 1; dj++) {
        if (i + di >= 0 && i + di < 4 && j + dj >= 0 && j + dj < 4) win.push(x[(i + di) * 4 + j + dj]);
      }
      out.push(kind === 'max' ? Math.max(...win) : win.reduce((a, b) => a + b, 0) / win.length);
    }
  }
  return out;
}

describe('ops follow the PyTorch reference padding', () => {
  const x = Array.from({ length: 16 }, (_, i) => ((i * 7) % 16) - 8);
  test.each([
    ['max', 1],
    ['max', 2],
    ['avg', 1],
    ['avg', 2],
  ] as const)('%s_pool_3x3 stride %d', (kind, stride) => {
    const got = runOp(`${kind}_pool_3x3`, stride, x);
    const want = refPool(kind, x, stride);
    expect(got.length).toBe(want.length);
    got.forEach((v, i) => expect(v).toBeCloseTo(want[i], 5));
  });
});

test('a stride-2 depthwise conv reads the windows PyTorch reads (padding on both sides)', () => {
  const ctx: BuildContext = { merges: {} };
  const x = tf.input({ shape: [6, 6, 2] });
  const m = tf.model({ inputs: x, outputs: [depthwise(ctx, 's2', x, 3, 2), depthwise(ctx, 's1', x, 3, 1)] });
  const kernel = tf.randomNormal([3, 3, 2, 1], 0, 1, 'float32', 5);
  m.getLayer('s2').setWeights([kernel]);
  m.getLayer('s1').setWeights([kernel]);
  kernel.dispose();
  const input = tf.randomNormal([1, 6, 6, 2], 0, 1, 'float32', 9);
  const [y2, y1] = m.predict(input) as tf.Tensor[];
  // PyTorch stride 2, padding 1: output (i, j) is the stride-1 'same' output at (2i, 2j).
  const want = tf.stridedSlice(y1, [0, 0, 0, 0], [1, 6, 6, 2], [1, 2, 2, 1]);
  expect(y2.shape).toEqual([1, 3, 3, 2]);
  expect(tf.max(tf.abs(tf.sub(y2, want))).dataSync()[0]).toBeLessThan(1e-5);
  tf.dispose([input, y1, y2, want]);
  m.dispose();
});

describe('the functional network', () => {
  test('the same seed gives the same weights; another seed other weights', () => {
    const first = (seed: number) => {
      const net = buildNetwork(DARTS_V2, { ...TINY, seed });
      const v = Array.from(net.weights['cell0_pre0.conv'].dataSync().slice(0, 8));
      disposeNetwork(net);
      return v;
    };
    expect(first(1)).toEqual(first(1));
    expect(first(1)).not.toEqual(first(2));
  });

  test('eval mode gives logits only; training mode the auxiliary logits too; nothing leaks', () => {
    const net = buildNetwork(ALL_OPS, TINY);
    const x = randomImages(2, TINY.inputShape, 1);
    const before = tf.memory().numTensors;
    const logits = net.predict(x);
    expect(logits.shape).toEqual([2, TINY.numClasses]);
    const out = tf.tidy(() => {
      const r = net.forward(x, { training: true, w: net.weights, buffers: net.buffers, bnUpdates: null });
      return [r.logits, r.aux!];
    });
    expect(out[1].shape).toEqual([2, TINY.numClasses]);
    tf.dispose([logits, ...out]);
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    disposeNetwork(net);
  });

  test('BatchNorm running statistics move as PyTorch\'s: momentum 0.1, unbiased batch variance (m/(m−1))', () => {
    const net = buildNetwork(DARTS_V2, TINY);
    const x = randomImages(4, TINY.inputShape, 2);
    const y = tf.tensor1d([0, 1, 2, 3], 'int32');
    const r = batchGradients(net, x, y, { auxWeight: 0.4, recompute: 'none', dropPath: null });
    applyBnUpdates(net.buffers, r.bnUpdates);
    const [mean, variance, runMean, runVar] = tf.tidy(() => {
      const stem = tf.conv2d(x, net.weights.stem_conv as tf.Tensor4D, 1, 1);
      const m = stem.shape[0] * stem.shape[1] * stem.shape[2];
      const mo = tf.moments(stem, [0, 1, 2]);
      return [mo.mean, tf.mul(mo.variance, m / (m - 1)), net.buffers['stem_bn/mean'], net.buffers['stem_bn/var']].map((t) => Array.from(t.dataSync()));
    });
    mean.forEach((v, c) => expect(runMean[c]).toBeCloseTo(0.1 * v, 5));
    variance.forEach((v, c) => expect(runVar[c]).toBeCloseTo(0.9 + 0.1 * v, 5));
    tf.dispose([x, y, r.loss, r.correct, ...Object.values(r.grads)]);
    disposeNetwork(net);
  });

  test('sizes that do not fit and unknown ops are rejected with a message naming the problem', () => {
    expect(() => buildNetwork(DARTS_V2, { ...TINY, inputShape: [18, 18, 3] })).toThrow(/divisible by 4/);
    expect(() => buildNetwork(DARTS_V2, { ...TINY, inputShape: [4, 4, 3] })).toThrow(/auxiliary head needs at least a 2×2/);
    expect(() => buildNetwork(DARTS_V2, { ...TINY, C: 0 })).toThrow(/--init-channels/);
    const bad: DartsGenotype = { ...DARTS_V2, normal: [['conv_9x9', 0], ...DARTS_V2.normal.slice(1)] };
    expect(() => buildNetwork(bad, TINY)).toThrow(/op 'conv_9x9' cannot be built/);
  });
});
