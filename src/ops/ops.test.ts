import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../backend';
import { Rng } from '../space/rng';
import { DARTS_PRIMITIVES, NB201_PRIMITIVES } from '../space/primitives';
import { OpContext, ParamBuilder, applyBnUpdates, batchNorm, batchNormTrain, BnUpdate } from './context';
import { DARTS_OPS, dartsMixedOps } from './darts-ops';
import { NB201_OPS } from './nb201-ops';
import { pool3x3 } from './layers';

beforeAll(async () => {
  await useBackend('wasm');
});

function ctxOf(b: ParamBuilder, training = true, bnUpdates: BnUpdate[] | null = null): OpContext {
  return { training, w: b.params, buffers: b.buffers, bnUpdates };
}

function disposeBuilder(b: ParamBuilder): void {
  tf.dispose([...Object.values(b.params), ...Object.values(b.buffers)]);
}

/** Trainable parameters of each DARTS op at C channels (quark0/darts operations.py, affine=False). */
const DARTS_OP_PARAMS: Record<string, (C: number, stride: number) => number> = {
  none: () => 0,
  max_pool_3x3: () => 0,
  avg_pool_3x3: () => 0,
  // Identity, or FactorizedReduce: two 1×1 convs C → C/2.
  skip_connect: (C, s) => (s === 1 ? 0 : C * C),
  // SepConv twice: (k·k depthwise + C·C pointwise) × 2.
  sep_conv_3x3: (C) => 2 * (9 * C + C * C),
  sep_conv_5x5: (C) => 2 * (25 * C + C * C),
  // DilConv: k·k depthwise + C·C pointwise.
  dil_conv_3x3: (C) => 9 * C + C * C,
  dil_conv_5x5: (C) => 25 * C + C * C,
};

describe('DARTS candidate ops', () => {
  const C = 4;
  for (const name of DARTS_PRIMITIVES) {
    for (const stride of [1, 2]) {
      it(`${name} stride ${stride}: shape, parameter count, no leaks`, () => {
        const b = new ParamBuilder(new Rng(1));
        const op = DARTS_OPS[name](b, name, C, stride, false);
        expect(b.count()).toBe(DARTS_OP_PARAMS[name](C, stride));
        const x = tf.randomNormal([2, 8, 8, C]) as tf.Tensor4D;
        const before = tf.memory().numTensors;
        const y = tf.tidy(() => op.apply(x, ctxOf(b)));
        expect(y.shape).toEqual([2, 8 / stride, 8 / stride, C]);
        if (name === 'none') expect(tf.tidy(() => tf.max(tf.abs(y)).dataSync()[0])).toBe(0);
        if (y !== x) y.dispose();
        expect(tf.memory().numTensors).toBe(before);
        x.dispose();
        disposeBuilder(b);
      });
    }
  }

  it('the mixed op appends a non-affine BN to each pool (its output is normalised per channel)', () => {
    const b = new ParamBuilder(new Rng(2));
    const ops = dartsMixedOps(b, 'e', 3, 1);
    expect(Object.keys(b.buffers)).toEqual(expect.arrayContaining(['e.max_pool_3x3.bn/mean', 'e.avg_pool_3x3.bn/mean']));
    expect(Object.keys(b.params).some((k) => k.includes('gamma'))).toBe(false);
    const x = tf.add(tf.mul(tf.randomNormal([4, 6, 6, 3]), 5), 3) as tf.Tensor4D;
    const y = ops[DARTS_PRIMITIVES.indexOf('avg_pool_3x3')].apply(x, ctxOf(b));
    const { mean, variance } = tf.moments(y, [0, 1, 2]);
    expect(Math.max(...Array.from(tf.abs(mean).dataSync()))).toBeLessThan(1e-4);
    for (const v of Array.from(variance.dataSync())) expect(v).toBeCloseTo(1, 2);
    tf.dispose([x, y, mean, variance]);
    disposeBuilder(b);
  });

  it('avg_pool_3x3 excludes the padding from the average (count_include_pad=False), stride 2 aligned as PyTorch', () => {
    const x = tf.reshape(tf.range(0, 16), [1, 4, 4, 1]) as tf.Tensor4D;
    const y = pool3x3('avg', 2)(x, {} as OpContext);
    // PyTorch: windows start at -1 (padding 1): output[0,0] = mean(0,1,4,5) = 2.5.
    expect(Array.from(y.dataSync())).toEqual([2.5, 4, 8.5, 10]);
    tf.dispose([x, y]);
  });
});

describe('NAS-Bench-201 candidate ops', () => {
  const counts: Record<string, (cin: number, cout: number) => number> = {
    none: () => 0,
    // Non-affine BN: every conv has a bias of `o` (AutoDL's ReLUConvBN, bias = not affine).
    skip_connect: (i, o) => (i === o ? 0 : i * o + o),
    nor_conv_1x1: (i, o) => i * o + o,
    nor_conv_3x3: (i, o) => 9 * i * o + o,
    avg_pool_3x3: (i, o) => (i === o ? 0 : i * o + o),
  };
  for (const name of NB201_PRIMITIVES) {
    for (const [cin, cout] of [[4, 4], [4, 6]]) {
      it(`${name} ${cin}→${cout}: shape and parameter count`, () => {
        const b = new ParamBuilder(new Rng(3));
        const op = NB201_OPS[name](b, name, cin, cout, 1, false);
        expect(b.count()).toBe(counts[name](cin, cout));
        const x = tf.randomNormal([2, 5, 5, cin]) as tf.Tensor4D;
        const y = tf.tidy(() => op.apply(x, ctxOf(b)));
        expect(y.shape).toEqual([2, 5, 5, cout]);
        tf.dispose([x, y]);
        disposeBuilder(b);
      });
    }
  }
});

describe('BatchNorm (PyTorch semantics)', () => {
  function reference(x: tf.Tensor4D, g?: tf.Tensor1D, b?: tf.Tensor1D): tf.Tensor {
    const { mean, variance } = tf.moments(x, [0, 1, 2]);
    let y = tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5)));
    if (g && b) y = tf.add(tf.mul(y, g), b);
    return y;
  }

  for (const affine of [false, true]) {
    it(`training mode: values and custom gradients match autodiff of the formula (affine ${affine})`, () => {
      const x = tf.add(tf.mul(tf.randomNormal([3, 4, 4, 5], 0, 1, 'float32', 4), 2), 1) as tf.Tensor4D;
      const g = tf.randomNormal([5], 1, 0.3, 'float32', 5) as tf.Tensor1D;
      const b = tf.randomNormal([5], 0, 0.3, 'float32', 6) as tf.Tensor1D;
      const dy = tf.randomNormal([3, 4, 4, 5], 0, 1, 'float32', 7);
      const before = tf.memory().numTensors;
      const inputs = affine ? [x, g, b] : [x];
      const ours = tf.grads((...a: tf.Tensor[]) => {
        const r = batchNormTrain(a[0] as tf.Tensor4D, a[1] as tf.Tensor1D, a[2] as tf.Tensor1D);
        tf.dispose([r.mean, r.variance]);
        return tf.sum(tf.mul(r.y, dy));
      })(inputs);
      const ref = tf.grads((...a: tf.Tensor[]) => tf.sum(tf.mul(reference(a[0] as tf.Tensor4D, a[1] as tf.Tensor1D, a[2] as tf.Tensor1D), dy)))(inputs);
      ours.forEach((t, i) => {
        const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(t, ref[i]))).dataSync()[0]);
        expect(diff).toBeLessThan(1e-4);
      });
      tf.dispose([...ours, ...ref]);
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([x, g, b, dy]);
    });
  }

  it('running statistics: momentum 0.1, unbiased variance, used in eval mode', () => {
    const pb = new ParamBuilder(new Rng(0));
    const bn = batchNorm(pb.bn('bn', 2, false), false);
    const x = tf.tensor4d([1, 10, 3, 20, 5, 30, 7, 40], [2, 2, 1, 2]);
    const updates: BnUpdate[] = [];
    tf.tidy(() => bn(x, ctxOf(pb, true, updates)));
    applyBnUpdates(pb.buffers, updates);
    // channel 0: values 1,3,5,7: mean 4, unbiased var 20/3; channel 1: 10..40: mean 25, unbiased var 500/3.
    const mean = pb.buffers['bn/mean'].dataSync();
    const v = pb.buffers['bn/var'].dataSync();
    expect(mean[0]).toBeCloseTo(0.4, 5);
    expect(mean[1]).toBeCloseTo(2.5, 5);
    expect(v[0]).toBeCloseTo(0.9 + 0.1 * (20 / 3), 4);
    expect(v[1]).toBeCloseTo(0.9 + 0.1 * (500 / 3), 3);
    const y = bn(x, ctxOf(pb, false));
    expect(y.dataSync()[0]).toBeCloseTo((1 - 0.4) / Math.sqrt(v[0] + 1e-5), 4);
    tf.dispose([x, y]);
    disposeBuilder(pb);
  });
});
