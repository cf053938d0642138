/**
 * Speed and memory of one DARTS search step (architecture step + weight step), first and second
 * order, on CIFAR-sized random input (32×32×3, 10 classes):
 *
 *   npm run bench:search -- [--backend wasm|cpu|tensorflow|webgpu|auto] [--steps 3] [--configs small,paper]
 *                           [--recompute auto|cells|edges|none] [--gpu-memory GiB] [--orders 1,2] [--no-simd] [--json]
 *                           [--reference DIR [--reference-python python3] [--reference-threads 0,2]]
 *
 * `--no-simd` runs without tfnas's SIMD kernels (TFNAS_SIMD=0: the composed wasm kernels), for
 * before/after comparisons. `--reference DIR` also times the reference implementation, a checkout
 * of quark0/darts that you clone yourself, with PyTorch (scripts/bench-search-reference.py), at each
 * configuration and torch thread count (0: torch's default), and prints tfnas's time over it.
 *
 * Configurations: `paper` = batch 64, C = 16, 8 cells (the DARTS paper's CIFAR-10 search);
 * `small` = batch 32, C = 8, 5 cells. Reports the median seconds per step over `--steps` timed
 * steps (after one warm-up step), the peak tensor memory (the engine's live tensor bytes, sampled
 * after every kernel) and the process's peak resident set size (on wasm it includes the wasm heap,
 * which never shrinks, so it is the true peak). Each case runs in a child process so that one case's
 * memory (or an out-of-memory abort: the wasm backend's heap is capped at 4 GB) does not affect the
 * next; a failed case is reported as such.
 */
import { spawnSync } from 'child_process';
import { join } from 'path';
import * as tf from '@tensorflow/tfjs';
import { backendLabel, useBackend } from '../src/backend';
import { adapterInUse, releaseWebgpu } from '../src/backend/webgpu';
import { SUPERNETS } from '../src/nets/supernet-registry';
import { DartsArchitect } from '../src/search/darts/architect';
import { DARTS_DEFAULTS } from '../src/search/darts/config';
import { RECOMPUTE_SETTINGS, RecomputeSetting, resolveRecompute } from '../src/nets/supernet-memory';
import { totalmem } from 'os';
import { fusedKernelsActive } from '../src/backend/simd/simd-kernels';

interface Case {
  config: string;
  batch: number;
  C: number;
  layers: number;
  order: 1 | 2;
  /** As `tfnas search --recompute`; `auto` is resolved per case as a search would. */
  recompute: RecomputeSetting;
}

const CONFIGS: Record<string, Omit<Case, 'order' | 'config' | 'recompute'>> = {
  paper: { batch: 64, C: 16, layers: 8 },
  small: { batch: 32, C: 8, layers: 5 },
};

interface Reference {
  threads: number;
  secondsPerStep?: number;
  peakRssMB?: number;
  error?: string;
}

interface Result extends Case {
  backend: string;
  recomputeMode?: string;
  secondsPerStep?: number;
  stepSeconds?: number[];
  peakTensorMB?: number;
  peakRssMB?: number;
  error?: string;
  reference?: Reference[];
  /** The backend as people should read it: for webgpu, the adapter (a fallback one says it is software). */
  device?: string;
}

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : def;
}

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

/** Runs one case in this process and prints its result as JSON. */
async function runCase(c: Case, backendName: string, steps: number): Promise<Result> {
  const backend = await useBackend(backendName, () => undefined);
  let peakRss = process.memoryUsage().rss;
  const sample = () => (peakRss = Math.max(peakRss, process.memoryUsage().rss));
  const net = SUPERNETS.darts({ C: c.C, layers: c.layers, numClasses: 10, inChannels: 3, seed: 0 });
  const gpuMemory = Number(arg('gpu-memory', '0')) * 2 ** 30;
  const device = { gpuMemoryBytes: gpuMemory || null, fallbackAdapter: adapterInUse()?.isFallbackAdapter };
  const mode = resolveRecompute(c.recompute, 'darts', { batch: c.batch, C: c.C, layers: c.layers, height: 32, width: 32 }, backend, totalmem(), fusedKernelsActive(), device).mode;
  const arch = new DartsArchitect(net, { ...DARTS_DEFAULTS, order: c.order, recompute: mode });
  const batch = () => ({ x: tf.randomNormal([c.batch, 32, 32, 3]) as tf.Tensor4D, y: tf.randomUniform([c.batch], 0, 10, 'int32') as tf.Tensor1D });
  const [t, v] = [batch(), batch()];
  const step = async () => {
    const r = arch.step(t, v, DARTS_DEFAULTS.lr);
    await r.loss.data();
    tf.dispose([r.loss, r.correct]);
    sample();
  };
  // Peak tensor memory: the engine's byte count sampled after every kernel (tf.profile would do
  // it too, but keeps a record per kernel, which overflows the call stack on the largest cases).
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
  arch.dispose();
  net.dispose();
  tf.dispose([t.x, t.y, v.x, v.y]);
  return { ...c, recomputeMode: mode, backend, device: backendLabel(backend), secondsPerStep: median(times), stepSeconds: times, peakTensorMB: peakBytes / 2 ** 20, peakRssMB: peakRss / 2 ** 20 };
}

function spawnCase(c: Case, backend: string, steps: number): Result {
  const env = process.argv.includes('--no-simd') ? { ...process.env, TFNAS_SIMD: '0' } : process.env;
  const child = spawnSync(process.execPath, [...process.execArgv, __filename, '--case', JSON.stringify(c), '--backend', backend, '--steps', String(steps), '--gpu-memory', arg('gpu-memory', '0')], {
    encoding: 'utf8',
    maxBuffer: 1 << 26,
    env,
  });
  const line = child.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line) as Result;
  } catch {
    const why = (child.stderr || child.stdout || `exit ${child.status}`).trim().split('\n').filter((l) => /error|abort|memory/i.test(l)).slice(-2).join(' | ');
    return { ...c, backend, error: why || `exit ${child.status} (signal ${child.signal})` };
  }
}

/** The reference implementation's step time at case `c` (scripts/bench-search-reference.py). */
function referenceCase(c: Case, dir: string, threads: number, steps: number): Reference {
  const script = join(__dirname, 'bench-search-reference.py');
  const args = [script, '--darts', dir, '--batch', String(c.batch), '--C', String(c.C), '--layers', String(c.layers), '--order', String(c.order), '--steps', String(steps), '--threads', String(threads)];
  const child = spawnSync(arg('reference-python', 'python3'), args, { encoding: 'utf8', maxBuffer: 1 << 26 });
  try {
    const r = JSON.parse(child.stdout.trim().split('\n').pop() ?? '') as Reference;
    return { threads: r.threads, secondsPerStep: r.secondsPerStep, peakRssMB: r.peakRssMB };
  } catch {
    return { threads, error: (child.stderr || child.error?.message || `exit ${child.status}`).trim().split('\n').slice(-1)[0] };
  }
}

function reportReference(r: Result, ref: Reference): void {
  const what = `  reference (quark0/darts, PyTorch, ${ref.threads} thread${ref.threads === 1 ? '' : 's'})`;
  if (ref.error || ref.secondsPerStep === undefined) console.error(`${what}: failed: ${ref.error}`);
  else {
    const ratio = r.secondsPerStep === undefined ? '' : `; tfnas/reference = ${(r.secondsPerStep / ref.secondsPerStep).toFixed(2)}`;
    console.error(`${what}: ${ref.secondsPerStep.toFixed(2)} s/step, peak RSS ${ref.peakRssMB?.toFixed(0)} MB${ratio}`);
  }
}

async function main(): Promise<void> {
  const backend = arg('backend', 'wasm');
  const steps = Number(arg('steps', '3'));
  const caseArg = arg('case', '');
  if (caseArg) {
    process.stdout.write(JSON.stringify(await runCase(JSON.parse(caseArg) as Case, backend, steps)) + '\n');
    releaseWebgpu();
    return;
  }
  const names = arg('configs', 'small,paper').split(',');
  const recompute = arg('recompute', 'auto') as RecomputeSetting;
  if (!RECOMPUTE_SETTINGS.includes(recompute)) throw new Error(`--recompute: expected ${RECOMPUTE_SETTINGS.join('|')}, got ${recompute}`);
  const orders = arg('orders', '1,2').split(',').map(Number) as (1 | 2)[];
  if (!orders.every((o) => o === 1 || o === 2)) throw new Error(`--orders: expected a comma-separated list of 1 and 2, got ${arg('orders', '')}`);
  const results: Result[] = [];
  for (const config of names) {
    if (!CONFIGS[config]) throw new Error(`--configs: unknown configuration ${config} (known: ${Object.keys(CONFIGS).join(', ')})`);
    for (const order of orders) {
      const r = spawnCase({ config, ...CONFIGS[config], order, recompute }, backend, steps);
      results.push(r);
      const what = `${config.padEnd(5)} batch ${String(r.batch).padStart(2)} C ${String(r.C).padStart(2)} cells ${r.layers} order ${order} recompute ${recompute}${r.recomputeMode && r.recomputeMode !== recompute ? ` (${r.recomputeMode})` : ''}`;
      if (r.error) console.error(`${what}: failed: ${r.error}`);
      else console.error(`${what}: ${r.secondsPerStep?.toFixed(2)} s/step (median of ${steps}), peak tensors ${r.peakTensorMB === undefined ? "n/a" : r.peakTensorMB.toFixed(0)} MB, peak RSS ${r.peakRssMB?.toFixed(0)} MB [${r.device ?? r.backend}${process.argv.includes('--no-simd') ? ', no SIMD' : ''}]`);
      const refDir = arg('reference', '');
      if (refDir) {
        r.reference = arg('reference-threads', '0').split(',').map((t) => referenceCase(r, refDir, Number(t), steps));
        r.reference.forEach((ref) => reportReference(r, ref));
      }
    }
  }
  if (process.argv.includes('--json')) process.stdout.write(JSON.stringify(results) + '\n');
}

main().catch((e) => {
  console.error(`bench-search: ${(e as Error).message}`);
  process.exit(1);
});
