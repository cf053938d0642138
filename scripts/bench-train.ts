/**
 * `npm run bench:train [-- --backend wasm --steps 3 --configs small,large,small-b16,large-b4 --recompute cells|edges|none --workers 1,2 --reference DIR --json]`
 *
 * `--workers 1,2`: each configuration with each number of data-parallel worker threads (`tfnas train --workers`).
 *
 * `--macro plain,bn-sep-skip [--batch 64]`: macro-space networks' training steps instead (scripts/bench-train-macro.ts;
 * a name or a macro genotype key).
 *
 * Median seconds per retraining step (forward + backward + clip + SGD, DARTS_V2 with auxiliary
 * head and drop-path 0.2, random 32×32 CIFAR-shaped batches) and peak memory, at the paper's
 * configuration (C=36, 20 cells, batch 96) and at the search-sized one (C=16, 8 cells, batch 64).
 * Peak memory is given two ways: tf.profile's peakBytes for one step (tensor memory the backend
 * holds at its highest point) and the process's peak resident set size (includes the wasm heap,
 * which grows and never shrinks; the profiled step also copies every kernel output to JS, which
 * inflates it), plus, on wasm, the size the wasm heap grew to (capped at 4 GiB: the limit that
 * decides whether a configuration fits). Each configuration runs in its own process, so one that does not
 * fit (the wasm heap is capped at 4 GiB) is reported as failed without ending the others.
 * `--recompute` chooses the gradient checkpointing of the step (default cells).
 *
 * `--reference DIR` (DIR: a checkout of github.com/quark0/darts, not part of tfnas) runs instead,
 * per configuration (default small,large), tfnas's step next to the reference's NetworkCIFAR step
 * on PyTorch with 1 and 2 threads (scripts/reference-train-step.py; /usr/bin/python3 with torch,
 * or TFNAS_PYTHON), with the time and peak-memory ratios.
 */
import { spawnSync } from 'child_process';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { backendLabel, useBackend } from '../src/backend';
import { releaseWebgpu } from '../src/backend/webgpu';
import type { Recompute } from '../src/ops/context';
import { countParams } from '../src/nets/network';
import { builtinGenotype } from '../src/space/builtin-genotypes';
import type { DartsGenotype } from '../src/space/genotype-types';
import { Trainer } from '../src/train/retrain-trainer';
import { ParallelRetrain } from '../src/train/parallel/retrain-parallel';
import { benchMacro } from './bench-train-macro';

interface BenchConfig {
  name: string;
  C: number;
  layers: number;
  batch: number;
}

const CONFIGS: Record<string, BenchConfig> = {
  large: { name: 'C=36, 20 cells, batch 96', C: 36, layers: 20, batch: 96 },
  small: { name: 'C=16, 8 cells, batch 64', C: 16, layers: 8, batch: 64 },
  // Same networks at batches that fit the 4 GiB wasm heap, for per-image figures when the above do not.
  'small-b16': { name: 'C=16, 8 cells, batch 16', C: 16, layers: 8, batch: 16 },
  'large-b4': { name: 'C=36, 20 cells, batch 4', C: 36, layers: 20, batch: 4 },
};

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const mib = (bytes: number) => Math.round(bytes / 2 ** 20);

/** The wasm backend's heap size (it only grows, so this is its high-water mark); {} on other backends. */
function wasmHeap(): { wasm_heap_mib?: number } {
  const heap = (tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } }).wasm?.HEAPU8;
  return heap ? { wasm_heap_mib: mib(heap.length) } : {};
}

async function benchOne(cfg: BenchConfig, steps: number, recompute: Recompute, workers: number) {
  const genotype = builtinGenotype('DARTS_V2') as DartsGenotype;
  const netCfg = { C: cfg.C, layers: cfg.layers, numClasses: 10, auxiliary: true, inputShape: [32, 32, 3] as [number, number, number], seed: 0 };
  const stepOpts = { momentum: 0.9, weightDecay: 3e-4, gradClip: 5, auxWeight: 0.4, recompute };
  const trainer = new Trainer(genotype, netCfg, stepOpts);
  trainer.dropPath = { rate: 0.1, seed: 0, epoch: 0, step: 0 };
  const parallel = workers > 1 ? await ParallelRetrain.start(trainer, genotype, netCfg, stepOpts, tf.getBackend(), workers, cfg.batch) : null;
  if (parallel) await parallel.push(trainer);
  const step = (s: number) => (parallel ? parallel.step(x, y, 0.025, trainer.dropPath, 0, s) : trainer.step(x, y, 0.025, 0, s));
  const x = tf.randomNormal([cfg.batch, 32, 32, 3], 0, 1, 'float32', 1);
  const y = tf.randomUniform([cfg.batch], 0, 10, 'int32', 2);
  try {
    // Warm-up step (kernel setup, buffers), profiled for the tensor-memory peak.
    const profile = await tf.profile(async () => {
      await step(0);
    });
    const times: number[] = [];
    for (let s = 1; s <= steps; s++) {
      const t0 = process.hrtime.bigint();
      await step(s);
      times.push(Number(process.hrtime.bigint() - t0) / 1e9);
    }
    return {
      config: cfg.name,
      recompute,
      workers,
      params_without_auxiliary: countParams(trainer.net).params_without_auxiliary,
      steps,
      median_step_seconds: Number(median(times).toFixed(3)),
      step_seconds: times.map((t) => Number(t.toFixed(3))),
      images_per_second: Number((cfg.batch / median(times)).toFixed(2)),
      peak_tensor_mib: mib(profile.peakBytes),
      peak_rss_mib: mib(process.resourceUsage().maxRSS * 1024),
      ...wasmHeap(),
    };
  } finally {
    await parallel?.close();
    tf.dispose([x, y]);
    trainer.dispose();
  }
}

/** Runs one configuration in a child process: a wasm heap abort or an out-of-memory kill ends only that one. */
function runChild(name: string, backend: string, steps: number, recompute: Recompute, workers = 1): Record<string, unknown> {
  const tsNode = require.resolve('ts-node/dist/bin.js');
  const r = spawnSync(process.execPath, [tsNode, '--transpile-only', __filename, '--one', name, '--backend', backend, '--steps', String(steps), '--recompute', recompute, '--workers', String(workers)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 64 * 2 ** 20,
  });
  const last = (r.stdout ?? '').trim().split('\n').pop() ?? '';
  if (r.status === 0 && last.startsWith('{')) return JSON.parse(last);
  const why = (r.stderr ?? '').split('\n').filter((l) => /error|abort|memory|heap/i.test(l) && !/^\s+at /.test(l)).slice(0, 2).join(' | ');
  return { backend, config: CONFIGS[name].name, recompute, workers, error: `failed (exit ${r.status ?? r.signal}): ${why || 'no message'}` };
}

async function main(): Promise<void> {
  const backend = arg('backend', 'wasm');
  const steps = Number(arg('steps', '3'));
  const one = arg('one', '');
  const recompute = arg('recompute', 'cells') as Recompute;
  if (!['none', 'edges', 'cells'].includes(recompute)) throw new Error(`--recompute: expected one of none, edges, cells, got ${recompute}`);
  const workerCounts = arg('workers', '1').split(',').map(Number);
  if (!workerCounts.every((n) => Number.isInteger(n) && n >= 1)) throw new Error(`--workers: expected a comma-separated list of positive integers, got ${arg('workers', '')}`);
  if (one) {
    const used = await useBackend(backend);
    process.stdout.write(JSON.stringify({ backend: used, device: backendLabel(used), ...(await benchOne(CONFIGS[one], steps, recompute, workerCounts[0])) }) + '\n');
    releaseWebgpu();
    return;
  }
  const macro = arg('macro', '');
  if (macro) {
    const used = await useBackend(backend);
    const rows: Record<string, unknown>[] = [];
    for (const name of macro.split(',')) rows.push({ backend: used, ...(await benchMacro(name, steps, Number(arg('batch', '64')))) });
    if (process.argv.includes('--json')) process.stdout.write(JSON.stringify(rows) + '\n');
    else console.table(rows.map(({ step_seconds: _s, ...rest }) => rest));
    return;
  }
  const reference = arg('reference', '');
  if (reference) return compareWithReference(reference, backend, steps, recompute, arg('configs', 'small,large').split(','), workerCounts);
  const names = arg('configs', 'small,large,small-b16,large-b4').split(',');
  const results: Record<string, unknown>[] = [];
  for (const n of names) {
    const cfg = CONFIGS[n];
    if (!cfg) throw new Error(`--configs: unknown configuration ${n}; expected ${Object.keys(CONFIGS).join(', ')}`);
    for (const workers of workerCounts) {
      process.stderr.write(`bench:train: ${cfg.name} on ${backend}, recompute ${recompute}, ${workers} worker(s), ${steps} timed steps…\n`);
      const r = runChild(n, backend, steps, recompute, workers);
      process.stderr.write(r.error ? `  ${r.error}\n` : `  median ${r.median_step_seconds}s/step (${r.images_per_second} img/s), peak tensors ${r.peak_tensor_mib} MiB (main thread), peak RSS ${r.peak_rss_mib} MiB${r.wasm_heap_mib ? `, wasm heap ${r.wasm_heap_mib} MiB` : ''} [${r.device ?? r.backend}]\n`);
      results.push(r);
    }
  }
  if (process.argv.includes('--json')) process.stdout.write(JSON.stringify(results) + '\n');
  else console.table(results.map(({ step_seconds: _s, ...rest }) => rest));
}

/** Times the reference's step (scripts/reference-train-step.py on a quark0/darts checkout) in a child process. */
function runReference(dir: string, cfg: BenchConfig, threads: number, steps: number): Record<string, unknown> {
  const script = path.join(__dirname, 'reference-train-step.py');
  const args = [script, '--reference', dir, '--C', String(cfg.C), '--layers', String(cfg.layers), '--batch', String(cfg.batch), '--threads', String(threads), '--steps', String(steps)];
  const r = spawnSync(process.env.TFNAS_PYTHON ?? '/usr/bin/python3', args, { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
  const last = (r.stdout ?? '').trim().split('\n').pop() ?? '';
  if (r.status === 0 && last.startsWith('{')) return JSON.parse(last);
  return { error: `reference failed (exit ${r.status ?? r.signal}): ${(r.stderr ?? '').trim().split('\n').pop()}` };
}

/**
 * `--reference DIR`: tfnas's step next to the reference's (PyTorch, 1 and 2 threads) per
 * configuration, with the ratios the issue's targets are stated in (time and peak memory).
 */
function compareWithReference(dir: string, backend: string, steps: number, recompute: Recompute, names: string[], workerCounts: number[]): void {
  const rows: Record<string, unknown>[] = [];
  for (const n of names) {
    const cfg = CONFIGS[n];
    if (!cfg) throw new Error(`--configs: unknown configuration ${n}; expected ${Object.keys(CONFIGS).join(', ')}`);
    process.stderr.write(`bench:train: ${cfg.name}: tfnas (${backend}, recompute ${recompute}) and the reference (1 and 2 threads)…\n`);
    const [ref1, ref2] = [1, 2].map((threads) => runReference(dir, cfg, threads, steps));
    const ratio = (a: unknown, b: unknown) => (typeof a === 'number' && typeof b === 'number' ? Number((a / b).toFixed(2)) : null);
    for (const workers of workerCounts) {
      const ours = runChild(n, backend, steps, recompute, workers);
      rows.push({
        config: cfg.name,
        workers,
        tfnas_s: ours.median_step_seconds ?? ours.error,
        ref_1t_s: ref1.median_step_seconds ?? ref1.error,
        ref_2t_s: ref2.median_step_seconds ?? ref2.error,
        time_vs_2t: ratio(ours.median_step_seconds, ref2.median_step_seconds),
        tfnas_rss_mib: ours.peak_rss_mib,
        ref_2t_rss_mib: ref2.peak_rss_mib,
        rss_vs_2t: ratio(ours.peak_rss_mib, ref2.peak_rss_mib),
        params: `${ours.params_without_auxiliary} / ${ref2.params_without_auxiliary}`,
      });
    }
  }
  if (process.argv.includes('--json')) process.stdout.write(JSON.stringify(rows) + '\n');
  else console.table(rows);
}

main().catch((e) => {
  process.stderr.write(`bench:train: ${(e as Error).message}\n`);
  process.exitCode = 1;
});
