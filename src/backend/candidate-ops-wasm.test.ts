import * as tf from '@tensorflow/tfjs';
import { useBackend } from './index';
import { randomArr4, relativeError, Shape4 } from './test-utils/reference';
import { tensor4 } from './test-utils/tf-helpers';
import { BENCH_OP_NAMES, dartsBenchSubjects } from '../api/bench-ops';
import { NB201_OPS } from '../ops/nb201-ops';
import { NB201_PRIMITIVES } from '../space/primitives';
import { ParamBuilder, OpContext } from '../ops/context';
import { Rng } from '../space/rng';
import { PreparedSubject } from './op-bench';

/**
 * Issue 2's end-to-end criterion: the gradients of every candidate op (DARTS, a DARTS mixed edge,
 * NAS-Bench-201) on wasm, with tfnas's kernels, match the cpu backend, whose kernels the float64
 * tests of wasm-kernels/, avgpool-grad and ops/dilated check in turn. Gradients are taken with
 * respect to the input and every weight of a loss Σ y·probe (a plain Σ y vanishes through BatchNorm).
 */
const N = 2;

function gradients(prepared: PreparedSubject, xShape: Shape4, outShape: Shape4): (Float32Array | null)[] {
  const x = tensor4(randomArr4(xShape, 41));
  const probe = tensor4(randomArr4(outShape, 42));
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

function nb201Subject(op: (typeof NB201_PRIMITIVES)[number], cin: number, cout: number, stride: number): PreparedSubject {
  const b = new ParamBuilder(new Rng(7));
  const built = NB201_OPS[op](b, op, cin, cout, stride, true);
  const ctx: OpContext = { training: true, w: b.params, buffers: b.buffers, bnUpdates: null };
  const all = [...Object.values(b.params), ...Object.values(b.buffers)];
  return { forward: (x) => built.apply(x, ctx), params: Object.values(b.params), dispose: () => tf.dispose(all) };
}

interface Case {
  label: string;
  make: () => PreparedSubject;
  xShape: Shape4;
  outShape: Shape4;
}

const CASES: Case[] = [
  ...[1, 2].flatMap((stride) =>
    BENCH_OP_NAMES.map((name) => ({
      label: `DARTS ${name} stride ${stride}`,
      make: () => dartsBenchSubjects(4, stride, 7).find((s) => s.name === name)!.setup(),
      xShape: [N, 8, 8, 4] as Shape4,
      outShape: [N, 8 / stride, 8 / stride, 4] as Shape4,
    })),
  ),
  {
    label: 'DARTS mixed_edge without recomputation stride 1',
    make: () => dartsBenchSubjects(4, 1, 7, false).find((s) => s.name === 'mixed_edge')!.setup(),
    xShape: [N, 8, 8, 4],
    outShape: [N, 8, 8, 4],
  },
  ...NB201_PRIMITIVES.flatMap((op) => [
    { label: `NB201 ${op} 4→4 stride 1`, make: () => nb201Subject(op, 4, 4, 1), xShape: [N, 7, 7, 4] as Shape4, outShape: [N, 7, 7, 4] as Shape4 },
    { label: `NB201 ${op} 4→6 stride 2`, make: () => nb201Subject(op, 4, 6, 2), xShape: [N, 7, 7, 4] as Shape4, outShape: [N, 4, 4, 6] as Shape4 },
  ]),
];

test.each(CASES.map((c) => [c.label, c] as const))('%s: wasm gradients match cpu', async (_label, c) => {
  await useBackend('cpu');
  const expected = gradients(c.make(), c.xShape, c.outShape);
  await useBackend('wasm');
  const before = tf.memory().numTensors;
  const actual = gradients(c.make(), c.xShape, c.outShape);
  expect(tf.memory().numTensors).toBe(before);
  expect(actual.map((g) => g === null)).toEqual(expected.map((g) => g === null));
  expected.forEach((e, i) => {
    if (e) expect(relativeError(actual[i] as Float32Array, e)).toBeLessThanOrEqual(1e-4);
  });
  // A check that cannot fail is no check: the input gradient is non-zero except for `none`.
  if (!c.label.includes('none')) expect(Math.max(...(expected[0] as Float32Array).map(Math.abs))).toBeGreaterThan(1e-3);
});
