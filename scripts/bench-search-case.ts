/**
 * One case of `npm run bench:search` (see bench-search.ts), run in its own process: a search step
 * (architecture step + weight step) of the DARTS or NAS-Bench-201 supernet on random CIFAR-shaped
 * input, in this thread or over `workers` data-parallel worker threads (as `tfnas search --workers`).
 */
import { totalmem } from 'os';
import * as tf from '@tensorflow/tfjs';
import { backendLabel, useBackend } from '../src/backend';
import { fusedKernelsActive } from '../src/backend/simd/simd-kernels';
import { adapterInUse } from '../src/backend/webgpu';
import { RecomputeSetting, resolveRecompute } from '../src/nets/supernet-memory';
import { DartsArchitect } from '../src/search/darts/architect';
import { buildSupernet } from '../src/search/darts/build';
import { DARTS_DEFAULTS, DartsConfig } from '../src/search/darts/config';
import { ParallelDarts, replicaBatch } from '../src/search/darts/parallel';

export interface Case {
  config: string;
  space: 'darts' | 'nb201';
  batch: number;
  C: number;
  layers: number;
  order: 1 | 2;
  /** As `tfnas search --recompute`; `auto` is resolved per case as a search would. */
  recompute: RecomputeSetting;
  workers: number;
}

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

/** Runs one case in this process; returns its result (seconds per step, memory). */
export async function runCase(c: Case, backendName: string, steps: number, gpuMemory = 0) {
  const backend = await useBackend(backendName, () => undefined);
  let peakRss = process.memoryUsage().rss;
  const sample = () => (peakRss = Math.max(peakRss, process.memoryUsage().rss));
  const cfg: DartsConfig = { ...DARTS_DEFAULTS, space: c.space, dataset: 'synthetic', seed: 0, layers: c.layers, initChannels: c.C, batchSize: c.batch, order: c.order, recompute: c.recompute };
  const net = buildSupernet(cfg, 10, 3);
  const device = { gpuMemoryBytes: gpuMemory || null, fallbackAdapter: adapterInUse()?.isFallbackAdapter };
  // As `tfnas search`: on wasm each worker's heap holds one shard's activations.
  const shape = { batch: replicaBatch(c.batch, backend, c.workers), C: c.C, layers: c.layers, height: 32, width: 32 };
  const mode = resolveRecompute(c.recompute, c.space, shape, backend, totalmem(), fusedKernelsActive(), device).mode;
  const arch = new DartsArchitect(net, { ...cfg, recompute: mode });
  const batch = () => ({ x: tf.randomNormal([c.batch, 32, 32, 3]) as tf.Tensor4D, y: tf.randomUniform([c.batch], 0, 10, 'int32') as tf.Tensor1D });
  const [t, v] = [batch(), batch()];
  const parallel = c.workers > 1 ? await ParallelDarts.start(cfg, net, 10, [32, 32, 3], backend, mode, c.workers) : null;
  if (parallel) await parallel.push(net, arch);
  const step = async () => {
    if (parallel) await parallel.step(t, v, DARTS_DEFAULTS.lr);
    else {
      const r = arch.step(t, v, DARTS_DEFAULTS.lr);
      await r.loss.data();
      tf.dispose([r.loss, r.correct]);
    }
    sample();
  };
  // Peak tensor memory (this thread's engine): the byte count sampled after every kernel (tf.profile
  // would do it too, but keeps a record per kernel, which overflows the call stack on the largest cases).
  const engine = tf.engine() as unknown as { state: { numBytes: number }; runKernelFunc: (p: unknown) => unknown };
  let peakBytes = 0;
  const run = engine.runKernelFunc.bind(engine);
  engine.runKernelFunc = (p: unknown) => {
    const out = run(p);
    peakBytes = Math.max(peakBytes, engine.state.numBytes);
    return out;
  };
  await step(); // warm-up
  const times: number[] = [];
  for (let i = 0; i < steps; i++) {
    const t0 = process.hrtime.bigint();
    await step();
    times.push(Number(process.hrtime.bigint() - t0) / 1e9);
  }
  await parallel?.close();
  const params = net.paramCount();
  arch.dispose();
  net.dispose();
  tf.dispose([t.x, t.y, v.x, v.y]);
  return { ...c, params, recomputeMode: mode, backend, device: backendLabel(backend), secondsPerStep: median(times), stepSeconds: times, peakTensorMB: peakBytes / 2 ** 20, peakRssMB: peakRss / 2 ** 20 };
}
