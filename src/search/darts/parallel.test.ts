import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../../backend';
import { makeSynthetic } from '../../data';
import { loadCheckpoint, disposeAll } from '../../train/checkpoint';
import { validateDartsGenotype, validateNb201Genotype } from '../../space/genotype';
import { DartsArchitect, XY } from './architect';
import { buildSupernet } from './build';
import { DARTS_DEFAULTS, DartsConfig } from './config';
import { ParallelDarts, replicaBatch, shards } from './parallel';
import { runDartsSearchLoop } from './search';
import { runState } from './state';

/** DARTS over two worker threads (each its own wasm backend), against one thread. */
beforeAll(async () => {
  await useBackend('wasm');
});

const quiet = () => undefined;
let tmp: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tfnas-parallel-'));
});
afterEach(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

const data = (train: number) => makeSynthetic({ size: 8, channels: 3, classes: 3, trainCount: train, testCount: 4, seed: 1 });
const config = (over: Partial<DartsConfig> = {}): DartsConfig => ({
  ...DARTS_DEFAULTS, space: 'nb201', dataset: 'synthetic', seed: 3, layers: 1, initChannels: 4, batchSize: 4, epochs: 2, augment: false, recompute: 'cells', ...over,
});

/** A batch that is two copies of the same k samples: each half's BatchNorm statistics are the whole batch's. */
function doubled(k: number, seed: number): XY {
  return tf.tidy(() => {
    const x = tf.randomNormal([k, 8, 8, 3], 0, 1, 'float32', seed) as tf.Tensor4D;
    const y = tf.tensor1d(Array.from({ length: k }, (_, i) => (i + seed) % 3), 'int32');
    return { x: tf.concat([x, x]) as tf.Tensor4D, y: tf.concat([y, y]) as tf.Tensor1D };
  });
}

function expectClose(a: Record<string, tf.Tensor>, b: Record<string, tf.Tensor>, keys: string[], rel: number, abs = 0): void {
  for (const k of keys) {
    const [x, y] = [a[k].dataSync(), b[k].dataSync()];
    const scale = Math.max(1e-6, ...Array.from(x, Math.abs));
    let worst = 0;
    for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(x[i] - y[i]));
    if (worst > rel * scale + abs) throw new Error(`${k}: differs by ${worst} (scale ${scale})`);
  }
}

describe('shards', () => {
  it('splits a batch into contiguous shards, the first ones larger; a replica without samples gets share 0', () => {
    expect(shards(5, 2)).toEqual([{ begin: 0, size: 3, share: 0.6 }, { begin: 3, size: 2, share: 0.4 }]);
    expect(shards(1, 2)).toEqual([{ begin: 0, size: 1, share: 1 }, { begin: 0, size: 1, share: 0 }]);
  });

  it('sizes --recompute auto by the shard on wasm (a heap per worker), by the whole batch where replicas share memory', () => {
    expect(replicaBatch(64, 'wasm', 2)).toBe(32);
    expect(replicaBatch(65, 'wasm', 2)).toBe(33);
    expect(replicaBatch(64, 'cpu', 2)).toBe(64);
    expect(replicaBatch(64, 'wasm', 1)).toBe(64);
  });
});

describe('ParallelDarts (2 workers)', () => {
  /**
   * Order 2 on the DARTS space: the NB201 cells' conv biases (AutoDL's, whose gradient is zero up to
   * rounding under batch-statistics BN) make the tiny test net's finite-difference hypergradient
   * ill-conditioned — even in one process, a batch and the same batch doubled give different
   * hypergradients there — so it cannot be compared to float32 precision.
   */
  it.each([
    [1, 'nb201'],
    [2, 'darts'],
  ] as const)('order %i (%s): a step on two shards equals the step on the whole batch (weights, α, optimiser state); the replicas stay bit-identical', async (order, space) => {
    const cfg = config(space === 'darts' ? { order, space, layers: 3, initChannels: 2 } : { order });
    const net = buildSupernet(cfg, 3, 3);
    const arch = new DartsArchitect(net, { ...cfg, recompute: 'cells' });
    const p = await ParallelDarts.start(cfg, net, 3, [8, 8, 3], 'wasm', 'cells', 2);
    try {
      await p.push(net, arch);
      for (let s = 0; s < 2; s++) {
        const [t, a] = [doubled(2, 10 + s), doubled(2, 20 + s)];
        const r = arch.step(t, a, 0.025);
        const [loss] = await p.step(t, a, 0.025);
        expect(loss).toBeCloseTo(r.loss.dataSync()[0], 5);
        tf.dispose([t.x, t.y, a.x, a.y, r.loss, r.correct]);
      }
      const [r0, r1] = [await p.pool.getState(0), await p.pool.getState(1)];
      const keys = Object.keys(r0.tensors);
      for (const k of keys) expect(Array.from(r1.tensors[k].dataSync())).toEqual(Array.from(r0.tensors[k].dataSync()));
      const main = runState(net, arch).tensors;
      expect(Object.keys(main).sort()).toEqual(keys.slice().sort());
      // The running variances differ by design: PyTorch's unbiased factor n/(n−1) counts a shard's n.
      const compared = keys.filter((k) => !(k.startsWith('buf/') && k.endsWith('/var')));
      // A conv bias before a batch-statistics BN has a zero gradient up to rounding: its momentum is
      // weight decay plus float32 noise of the (differently ordered) sums, compared absolutely.
      const noise = (k: string) => k.endsWith('.conv.bias');
      expectClose(main, r0.tensors, compared.filter((k) => !k.startsWith('alpha/') && !k.startsWith('adam/') && !noise(k)), order === 1 ? 2e-5 : 1e-4, order === 1 ? 0 : 5e-6);
      expectClose(main, r0.tensors, compared.filter(noise), 0, 1e-5);
      // Order 2's finite-difference Hessian-vector product divides a difference of gradients by 2ε,
      // which magnifies float32 rounding of the (differently ordered) sums on a net this small (its
      // hypergradient is 100x the first-order one); a phase left unsummed would be off by ~50%.
      expectClose(main, r0.tensors, compared.filter((k) => k.startsWith('alpha/') || k.startsWith('adam/')), order === 1 ? 2e-5 : 1e-2);
      expect(r0.meta).toBe(2);
      expect(keys.some((k) => k.startsWith('sgd/')) && keys.some((k) => k.startsWith('adam/'))).toBe(true);
      tf.dispose([...Object.values(r0.tensors), ...Object.values(r1.tensors)]);
    } finally {
      await p.close();
      arch.dispose();
      net.dispose();
    }
  });
});

describe('DARTS search with --workers 2', () => {
  const alphas = (out: string) => fs.readFileSync(path.join(out, 'alphas.csv'), 'utf8');
  const log = (out: string) => fs.readFileSync(path.join(out, 'log.csv'), 'utf8').trim().split('\n').map((l) => l.split(',').filter((_, i) => i !== 6).join(','));

  it('ends in a valid genotype (nb201, order 2); resumed with the same N it ends as if not stopped; resumed with N=1 it runs on', async () => {
    const cfg = config({ order: 2 });
    const straight = path.join(tmp, 'straight');
    const s = await runDartsSearchLoop(cfg, data(8), { out: straight, resume: false, backend: 'wasm', log: quiet, workers: 2 });
    validateNb201Genotype(s.genotype as never);
    expect(JSON.parse(fs.readFileSync(path.join(straight, 'config.json'), 'utf8')).workers).toBe(2);
    const cut = path.join(tmp, 'cut');
    await expect(runDartsSearchLoop(cfg, data(8), { out: cut, resume: false, backend: 'wasm', log: quiet, workers: 2, afterEpoch: (e) => { if (e === 0) throw new Error('killed'); } })).rejects.toThrow('killed');
    await runDartsSearchLoop(cfg, data(8), { out: cut, resume: true, backend: 'wasm', log: quiet, workers: 2 });
    expect(alphas(cut)).toBe(alphas(straight));
    expect(log(cut)).toEqual(log(straight));
    const other = path.join(tmp, 'other');
    await expect(runDartsSearchLoop(cfg, data(8), { out: other, resume: false, backend: 'wasm', log: quiet, workers: 2, afterEpoch: (e) => { if (e === 0) throw new Error('killed'); } })).rejects.toThrow('killed');
    const one = await runDartsSearchLoop(cfg, data(8), { out: other, resume: true, backend: 'wasm', log: quiet, workers: 1 });
    validateNb201Genotype(one.genotype as never);
  });

  it('a worker stopped mid-run (darts space) ends the run with a clear error and leaves the last checkpoint intact', async () => {
    const out = path.join(tmp, 'run');
    let pool: ParallelDarts | null = null;
    const cfg = config({ space: 'darts', layers: 3, initChannels: 2, epochs: 3 });
    const run = runDartsSearchLoop(cfg, data(8), {
      out, resume: false, backend: 'wasm', log: quiet, workers: 2,
      onWorkers: (p) => (pool = p),
      afterEpoch: (e) => { if (e === 0) void pool!.pool.threads[1].terminate(); },
    });
    await expect(run).rejects.toThrow(/data-parallel worker 2 of 2 failed: exited/);
    const ck = loadCheckpoint<{ nextEpoch: number }>(path.join(out, 'checkpoint'));
    expect(ck?.state.nextEpoch).toBe(1);
    disposeAll(ck!.tensors);
    const s = await runDartsSearchLoop(cfg, data(8), { out, resume: true, backend: 'wasm', log: quiet, workers: 2 });
    validateDartsGenotype(s.genotype as never);
  });
});

describe('objective terms under data parallelism', () => {
  /**
   * With an exchange (here the identity: one replica holding the whole batch), the terms are applied
   * once, to the summed loss, by the chain rule; the α-gradient must be the one computed directly.
   */
  it.each([1, 2] as const)('order %i: the chain-rule gradient of additive and multiplicative terms equals the direct one', (order) => {
    const cfg = config({ order });
    const net = buildSupernet(cfg, 3, 3);
    const arch = new DartsArchitect(net, { ...cfg, recompute: 'cells' });
    arch.objectives = [
      (loss, a) => tf.add(loss, tf.mul(0.3, tf.sum(tf.square(a.cell)))),
      (loss, a) => tf.mul(loss, tf.add(1, tf.sum(tf.abs(a.cell)))),
    ];
    const [t, v] = [doubled(2, 1), doubled(2, 2)];
    const before = tf.memory().numTensors;
    const grads = () => (order === 1 ? arch.firstOrderArchGrads(v, null) : arch.unrolledArchGrads(t, v, 0.025, null));
    const direct = grads();
    arch.sync = { sum: (named) => tf.tidy(() => Object.fromEntries(Object.entries(named).map(([k, x]) => [k, tf.clone(x)]))) };
    const [tShare, vShare] = [{ ...t, share: 1 }, { ...v, share: 1 }];
    const chained = order === 1 ? arch.firstOrderArchGrads(vShare, null) : arch.unrolledArchGrads(tShare, vShare, 0.025, null);
    expectClose(direct, chained, Object.keys(direct), 1e-4);
    tf.dispose([...Object.values(direct), ...Object.values(chained)]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([t.x, t.y, v.x, v.y]);
    arch.dispose();
    net.dispose();
  });
});
