/**
 * The webgpu side of webgpu-kernels.test.ts, run in a child process (see test-utils/webgpu.ts):
 * every case of poolGradCases through the kernels, then through tf.grad, on webgpu. Prints one JSON
 * line: the outputs per case, the tensor counts around a repeated gradient, what `auto` picks
 * then, or why it cannot run.
 */
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '..';
import { adapterInUse, assertNoDeviceError, releaseWebgpu } from '../webgpu';
import { poolGradCases } from './pool-cases';
import { tensor4 } from './tf-helpers';

async function main(): Promise<unknown> {
  try {
    await useBackend('webgpu', () => undefined);
  } catch (e) {
    return { skip: String((e as Error).message) };
  }
  const out: Record<string, { y: number[]; dx: number[]; gradDx: number[] }> = {};
  for (const c of poolGradCases()) {
    const [xt, dyt] = [tensor4(c.x), tensor4(c.dy)];
    const fwd = c.kind === 'avg' ? 'AvgPool' : 'MaxPool';
    const y = tf.engine().runKernel(fwd, { x: xt }, c.attrs as never) as tf.Tensor;
    const dx = tf.engine().runKernel(`${fwd}Grad`, { dy: dyt, input: xt, output: y }, c.attrs as never) as tf.Tensor;
    const pool = c.kind === 'avg' ? tf.avgPool : tf.maxPool;
    const { filterSize, strides, pad, dimRoundingMode } = c.attrs;
    const f = (a: tf.Tensor) => pool(a as tf.Tensor4D, filterSize, strides, pad as never, dimRoundingMode).mul(dyt).sum();
    const g = tf.grad(f)(xt);
    out[c.label] = { y: Array.from(await y.data()), dx: Array.from(await dx.data()), gradDx: Array.from(await g.data()) };
    tf.dispose([xt, dyt, y, dx, g]);
  }
  // AddN of 1…20 inputs: more than a shader may bind (8 storage buffers) must still add up.
  const addN: number[][] = [];
  for (let n = 1; n <= 20; n++) {
    const xs = Array.from({ length: n }, (_, i) => tf.fill([3], i + 1));
    const s = tf.addN(xs);
    addN.push(Array.from(await s.data()));
    tf.dispose([...xs, s]);
  }
  const ones = tf.ones([1, 3, 3, 1]);
  const eg = tf.grad((a: tf.Tensor) => tf.avgPool(a as tf.Tensor4D, 3, 1, 'same').sum())(ones);
  const example = Array.from(await eg.data());
  tf.dispose([ones, eg]);
  const x = tf.randomNormal([2, 8, 8, 3], 0, 1, 'float32', 3);
  const grad = tf.grad((a: tf.Tensor) => tf.maxPool(a as tf.Tensor4D, 3, 1, 'same').add(tf.avgPool(a as tf.Tensor4D, 3, 2, 'same').mean()).sum());
  tf.dispose(grad(x));
  const before = [tf.memory().numTensors, tf.engine().backend.numDataIds()];
  for (let i = 0; i < 3; i++) tf.dispose(grad(x));
  const after = [tf.memory().numTensors, tf.engine().backend.numDataIds()];
  x.dispose();
  const adapter = adapterInUse();
  // A real device error (an invalid shader) must reach tfnas's check.
  (tf.backend() as unknown as { device: { createShaderModule(d: { code: string }): unknown } }).device.createShaderModule({ code: 'not wgsl' });
  await tf.ones([1]).data();
  await new Promise((r) => setTimeout(r, 100));
  let deviceError = '';
  try {
    assertNoDeviceError();
  } catch (e) {
    deviceError = (e as Error).message;
  }
  // With only the fallback adapter, auto must pass webgpu by (and so label nothing as webgpu).
  const autoPick = await useBackend('auto', () => undefined);
  return { adapter, cases: out, example, addN, before, after, deviceError, autoPick, adapterAfterAuto: adapterInUse() };
}

main().then((r) => {
  process.stdout.write(JSON.stringify(r) + '\n');
  releaseWebgpu();
});
