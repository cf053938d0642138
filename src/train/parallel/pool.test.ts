import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../../backend';
import { ReplicaPool } from './pool';
import { probeGrads, probeWeights } from './test-utils/probe-replica';

/**
 * The data-parallel engine on a small conv net without batch statistics: two worker threads, each
 * with its own wasm backend, a shard each, gradients summed through shared memory.
 */
const N = 2;
let pool: ReplicaPool;

beforeAll(async () => {
  await useBackend('wasm');
});

const start = () =>
  ReplicaPool.start({ workers: N, module: require.resolve('./test-utils/probe-replica'), config: {}, backend: 'wasm', slotFloats: 4096, inputFloats: 8 * 8 * 8 * 3 + 64, stateFloats: 8192 });

function batch(n: number): { x: tf.Tensor4D; y: tf.Tensor1D } {
  return { x: tf.randomNormal([n, 8, 8, 3], 0, 1, 'float32', 7) as tf.Tensor4D, y: tf.tensor1d(Array.from({ length: n }, (_, i) => i % 3), 'int32') };
}

/** Rows [begin, begin+size) of the batch for each rank (5 samples: 3 and 2). */
const split = [{ begin: 0, size: 3 }, { begin: 3, size: 2 }];

function shardOf(b: { x: tf.Tensor4D; y: tf.Tensor1D }, r: number): Record<string, tf.Tensor> {
  return { x: tf.slice(b.x, split[r].begin, split[r].size), y: tf.slice(b.y, split[r].begin, split[r].size) };
}

describe('ReplicaPool (worker threads, shared-memory gradient sum)', () => {
  beforeAll(async () => {
    pool = await start();
  });
  afterAll(async () => {
    await pool?.close();
  });

  it('sums the shards\' gradients to the full batch\'s, to float32 precision, with no tensor left behind', async () => {
    const b = batch(5);
    const before = tf.memory().numTensors;
    const results = (await pool.call('grads', (r) => ({ share: split[r].size / 5 }), (r) => shardOf(b, r))) as { numTensors: number }[];
    expect(tf.memory().numTensors).toBe(before);
    const w = probeWeights();
    const full = probeGrads(w, b.x, b.y, 1);
    for (const rank of [0, 1]) {
      const { tensors, meta } = await pool.getState(rank);
      expect(meta).toBe(rank);
      for (const k of Object.keys(full)) {
        const want = full[k].dataSync();
        const got = tensors[`g/${k}`].dataSync();
        const scale = Math.max(...Array.from(want, Math.abs));
        for (let i = 0; i < want.length; i++) expect(Math.abs(got[i] - want[i])).toBeLessThan(1e-6 * scale + 1e-7);
      }
      tf.dispose(Object.values(tensors));
    }
    // A second call leaves each replica's tensor count where it was (nothing leaks per step).
    const again = (await pool.call('grads', (r) => ({ share: split[r].size / 5 }), (r) => shardOf(b, r))) as { numTensors: number }[];
    expect(again.map((r) => r.numTensors)).toEqual(results.map((r) => r.numTensors));
    tf.dispose([b.x, b.y, ...Object.values(w), ...Object.values(full)]);
  });

  it('keeps the replicas bit-identical over several steps', async () => {
    const b = batch(5);
    for (let s = 0; s < 4; s++) await pool.call('sgd', (r) => ({ share: split[r].size / 5 }), (r) => shardOf(b, r));
    const [a, c] = [await pool.getState(0), await pool.getState(1)];
    for (const k of Object.keys(a.tensors)) expect(Array.from(c.tensors[k].dataSync())).toEqual(Array.from(a.tensors[k].dataSync()));
    expect(Array.from(a.tensors['w/conv'].dataSync())).not.toEqual(Array.from(probeWeights().conv.dataSync()));
    tf.dispose([b.x, b.y, ...Object.values(a.tensors), ...Object.values(c.tensors)]);
  });
});

describe('a worker that dies ends the call with a clear error, never a hang', () => {
  it.each([
    ['throws', 'throw', /worker 2 of 2 failed: probe replica failed on purpose/],
    ['exits', 'exit', /worker 2 of 2 failed: exited with code 3/],
  ])('one that %s while the other waits in the exchange', async (_, cmd, message) => {
    const p = await start();
    const b = batch(4);
    await expect(p.call(cmd, () => ({ share: 0.5, failRank: 1 }), (r) => ({ x: tf.slice(b.x, 2 * r, 2), y: tf.slice(b.y, 2 * r, 2) }))).rejects.toThrow(message);
    // The pool stays failed: later calls reject at once with the same error.
    await expect(p.call('grads', () => ({ share: 0.5 }))).rejects.toThrow(message);
    await p.close();
    tf.dispose([b.x, b.y]);
  });

  it('one that is terminated from outside', async () => {
    const p = await start();
    const b = batch(4);
    const call = p.call('sgd', () => ({ share: 0.5 }), (r) => ({ x: tf.slice(b.x, 2 * r, 2), y: tf.slice(b.y, 2 * r, 2) }));
    await p.threads[1].terminate();
    // Either the step finished before the stop or it rejects; the next call must reject.
    await call.catch(() => undefined);
    await expect(p.call('grads', () => ({ share: 0.5 }), (r) => ({ x: tf.slice(b.x, 2 * r, 2), y: tf.slice(b.y, 2 * r, 2) }))).rejects.toThrow(/worker 2 of 2 failed: exited with code 1/);
    await p.close();
    tf.dispose([b.x, b.y]);
  });
});
