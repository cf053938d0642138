import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../backend';
import { Adam, SgdMomentum, clipByGlobalNorm } from './optim';

beforeAll(async () => {
  await useBackend('cpu');
});

const close = (a: ArrayLike<number>, b: number[], tol = 1e-6) =>
  b.forEach((v, i) => expect(a[i]).toBeCloseTo(v, -Math.log10(tol)));

describe('SgdMomentum (torch.optim.SGD semantics)', () => {
  it('applies weight decay, momentum and lr over two steps', () => {
    const w = tf.variable(tf.tensor1d([1, -2]));
    const opt = new SgdMomentum({ w }, { momentum: 0.9, weightDecay: 0.1 });
    const before = tf.memory().numTensors;
    opt.step({ w: tf.tensor1d([0.5, 0.5]) }, 0.1);
    // step 1: g = [0.5+0.1, 0.5-0.2] = [0.6, 0.3]; v = g; w = [1-0.06, -2-0.03]
    close(w.dataSync(), [0.94, -2.03]);
    opt.step({ w: tf.tensor1d([0, 0]) }, 0.1);
    // step 2: g = 0.1·w = [0.094, -0.203]; v = 0.9·[0.6,0.3] + g = [0.634, 0.067]; w -= 0.1·v
    close(w.dataSync(), [0.94 - 0.0634, -2.03 - 0.0067]);
    expect(tf.memory().numTensors).toBe(before + 1 + 2); // one momentum buffer + the two grads we leaked here on purpose
    opt.dispose();
    w.dispose();
  });

  it('virtualStep matches a real step and changes nothing', () => {
    const w = tf.variable(tf.tensor1d([1, 2, 3]));
    const opt = new SgdMomentum({ w }, { momentum: 0.9, weightDecay: 3e-4 });
    const g = tf.tensor1d([0.1, -0.2, 0.3]);
    opt.step({ w: g }, 0.05);
    const virt = opt.virtualStep({ w: g }, 0.05);
    const wBefore = Array.from(w.dataSync());
    opt.step({ w: g }, 0.05);
    close(virt.w.dataSync(), Array.from(w.dataSync()));
    expect(wBefore).not.toEqual(Array.from(w.dataSync()));
    tf.dispose([virt.w, g, w]);
    opt.dispose();
  });

  it('round-trips its state', () => {
    const w = tf.variable(tf.tensor1d([1]));
    const a = new SgdMomentum({ w }, { momentum: 0.9, weightDecay: 0 });
    const g = tf.tensor1d([1]);
    a.step({ w: g }, 0.1);
    const b = new SgdMomentum({ w }, { momentum: 0.9, weightDecay: 0 });
    b.loadState(a.state());
    close(b.momentumOf('w')!.dataSync(), [1]);
    a.dispose();
    b.dispose();
    tf.dispose([w, g]);
  });
});

describe('Adam (torch.optim.Adam semantics)', () => {
  it('matches the closed form of the first steps', () => {
    const p = tf.variable(tf.tensor1d([0.5]));
    const opt = new Adam({ p }, { beta1: 0.5, beta2: 0.999, weightDecay: 1e-3 });
    const before = tf.memory().numTensors;
    // Plain-JS reference of torch's update.
    let pr = 0.5, m = 0, v = 0;
    for (let t = 1; t <= 3; t++) {
      const g0 = 0.2 * t;
      const g = tf.tensor1d([g0]);
      opt.step({ p: g }, 3e-4);
      g.dispose();
      const gg = g0 + 1e-3 * pr;
      m = 0.5 * m + 0.5 * gg;
      v = 0.999 * v + 0.001 * gg * gg;
      pr -= (3e-4 / (1 - 0.5 ** t)) * (m / (Math.sqrt(v) / Math.sqrt(1 - 0.999 ** t) + 1e-8));
      expect(p.dataSync()[0]).toBeCloseTo(pr, 7);
    }
    expect(opt.steps).toBe(3);
    expect(tf.memory().numTensors).toBe(before + 2);
    opt.dispose();
    p.dispose();
  });
});

describe('clipByGlobalNorm', () => {
  it('scales only when the norm exceeds the bound', () => {
    const before = tf.memory().numTensors;
    const g = { a: tf.tensor1d([3]), b: tf.tensor1d([4]) };
    const big = clipByGlobalNorm(g, 1);
    expect(big.norm.dataSync()[0]).toBeCloseTo(5, 5);
    close(big.grads.a.dataSync(), [3 / (5 + 1e-6)]);
    const small = clipByGlobalNorm(g, 10);
    close(small.grads.b.dataSync(), [4]);
    tf.dispose([g.a, g.b, big.norm, big.grads.a, big.grads.b, small.norm, small.grads.a, small.grads.b]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
