import * as tf from '@tensorflow/tfjs';
import { useBackend } from './index';
import { randomArr4, relativeError, Shape4 } from './test-utils/reference';
import { tensor4 } from './test-utils/tf-helpers';
import { BENCH_OP_NAMES, dartsBenchSubjects } from '../cli/bench-ops';

/**
 * Issue 2's end-to-end criterion: the gradients of every DARTS candidate op, and of a mixed edge,
 * on wasm (with tfnas's kernels) match the cpu backend, whose kernels the float64 tests of
 * wasm-kernels/, avgpool-grad and ops/dilated check in turn. Gradients are taken with respect to
 * the input and every weight of a loss Σ y·probe (a plain Σ y would vanish through BatchNorm).
 */
const N = 2;
const C = 4;
const S = 8;

function gradients(name: string, stride: number): (Float32Array | null)[] {
  const subject = dartsBenchSubjects(C, stride, 7).find((s) => s.name === name)!;
  const prepared = subject.setup();
  const x = tensor4(randomArr4([N, S, S, C], 41));
  const probe = tensor4(randomArr4([N, S / stride, S / stride, C] as Shape4, 42));
  try {
    const loss = () => tf.sum(tf.mul(prepared.forward(x), probe)) as tf.Scalar;
    const { value, grads } = tf.engine().gradients(loss, [x, ...prepared.params], undefined, true);
    const arrays = grads.map((g) => (g ? (g.dataSync() as Float32Array).slice() : null));
    tf.dispose([value, ...grads.filter((g) => g != null)]);
    return arrays;
  } finally {
    prepared.dispose();
    tf.dispose([x, probe]);
  }
}

const CASES = [1, 2].flatMap((stride) => BENCH_OP_NAMES.map((name) => [name, stride] as const));

test.each(CASES)('%s at stride %i: wasm gradients match cpu', async (name, stride) => {
  await useBackend('cpu');
  const expected = gradients(name, stride);
  await useBackend('wasm');
  const before = tf.memory().numTensors;
  const actual = gradients(name, stride);
  expect(tf.memory().numTensors).toBe(before);
  expect(actual.map((g) => g === null)).toEqual(expected.map((g) => g === null));
  expected.forEach((e, i) => {
    if (e) expect(relativeError(actual[i] as Float32Array, e)).toBeLessThanOrEqual(1e-4);
  });
  // A check that cannot fail is no check: the input gradient is non-zero except for `none`.
  if (name !== 'none') expect(Math.max(...(expected[0] as Float32Array).map(Math.abs))).toBeGreaterThan(1e-3);
});
