/**
 * Speed and memory of one DARTS search step (architecture step + weight step), first and second
 * order, on CIFAR-sized random input (32×32×3, 10 classes):
 *
 *   npm run bench:search -- [--backend wasm|cpu|tensorflow|webgpu|auto] [--steps 3] [--configs small,paper,nb201]
 *                           [--recompute auto|cells|edges|none] [--gpu-memory GiB] [--orders 1,2] [--no-simd] [--json]
 *                           [--workers 1,2] [--reference DIR] [--reference-nb201 DIR]
 *                           [--reference-python python3] [--reference-threads 1,2]
 *
 * `--workers 1,2` times each case with each number of data-parallel worker threads (`tfnas search
 * --workers`) and prints the speed-up. `--reference-nb201 DIR` times AutoDL-Projects'
 * TinyNetworkDarts (a checkout you clone yourself; scripts/bench-nb201-reference.py) beside the
 * `nb201` configuration (the NAS-Bench-201 paper's DARTS search, first order).
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
import { releaseWebgpu } from '../src/backend/webgpu';
import { RECOMPUTE_SETTINGS, RecomputeSetting } from '../src/nets/supernet-memory';
import { Case, runCase } from './bench-search-case';

const CONFIGS: Record<string, Omit<Case, 'order' | 'config' | 'recompute' | 'workers'>> = {
  paper: { space: 'darts', batch: 64, C: 16, layers: 8 },
  small: { space: 'darts', batch: 32, C: 8, layers: 5 },
  // The NAS-Bench-201 paper's DARTS search (AutoDL-Projects TinyNetworkDarts): C=16, N=5 cells per stage.
  nb201: { space: 'nb201', batch: 64, C: 16, layers: 5 },
};

interface Reference {
  threads: number;
  secondsPerStep?: number;
  peakRssMB?: number;
  error?: string;
}

interface Result extends Case {
  params?: number;
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
  const shape = ['--batch', String(c.batch), '--C', String(c.C), '--steps', String(steps), '--threads', String(threads)];
  const args = c.space === 'nb201'
    ? [join(__dirname, 'bench-nb201-reference.py'), '--autodl', dir, '--N', String(c.layers), ...shape]
    : [join(__dirname, 'bench-search-reference.py'), '--darts', dir, '--layers', String(c.layers), '--order', String(c.order), ...shape];
  const child = spawnSync(arg('reference-python', 'python3'), args, { encoding: 'utf8', maxBuffer: 1 << 26 });
  try {
    const r = JSON.parse(child.stdout.trim().split('\n').pop() ?? '') as Reference;
    return { threads: r.threads, secondsPerStep: r.secondsPerStep, peakRssMB: r.peakRssMB };
  } catch {
    return { threads, error: (child.stderr || child.error?.message || `exit ${child.status}`).trim().split('\n').slice(-1)[0] };
  }
}

function reportReference(r: Result, ref: Reference): void {
  const what = `  reference (${r.space === 'nb201' ? 'AutoDL-Projects' : 'quark0/darts'}, PyTorch, ${ref.threads} thread${ref.threads === 1 ? '' : 's'})`;
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
    process.stdout.write(JSON.stringify(await runCase(JSON.parse(caseArg) as Case, backend, steps, Number(arg('gpu-memory', '0')) * 2 ** 30)) + '\n');
    releaseWebgpu();
    return;
  }
  const names = arg('configs', 'small,paper').split(',');
  const recompute = arg('recompute', 'auto') as RecomputeSetting;
  if (!RECOMPUTE_SETTINGS.includes(recompute)) throw new Error(`--recompute: expected ${RECOMPUTE_SETTINGS.join('|')}, got ${recompute}`);
  const orders = arg('orders', '1,2').split(',').map(Number) as (1 | 2)[];
  if (!orders.every((o) => o === 1 || o === 2)) throw new Error(`--orders: expected a comma-separated list of 1 and 2, got ${arg('orders', '')}`);
  const workerCounts = arg('workers', '1').split(',').map(Number);
  if (!workerCounts.every((n) => Number.isInteger(n) && n >= 1)) throw new Error(`--workers: expected a comma-separated list of positive integers, got ${arg('workers', '')}`);
  const results: Result[] = [];
  for (const config of names) {
    if (!CONFIGS[config]) throw new Error(`--configs: unknown configuration ${config} (known: ${Object.keys(CONFIGS).join(', ')})`);
    for (const order of orders) {
      const byWorkers: Result[] = [];
      for (const workers of workerCounts) {
        const r = spawnCase({ config, ...CONFIGS[config], order, recompute, workers }, backend, steps);
        results.push(r);
        byWorkers.push(r);
        const what = `${config.padEnd(5)} batch ${String(r.batch).padStart(2)} C ${String(r.C).padStart(2)} cells ${r.layers} order ${order} recompute ${recompute}${r.recomputeMode && r.recomputeMode !== recompute ? ` (${r.recomputeMode})` : ''} workers ${workers}`;
        if (r.error) console.error(`${what}: failed: ${r.error}`);
        else console.error(`${what}: ${r.secondsPerStep?.toFixed(2)} s/step (median of ${steps}), peak tensors ${r.peakTensorMB === undefined ? "n/a" : r.peakTensorMB.toFixed(0)} MB (main thread), peak RSS ${r.peakRssMB?.toFixed(0)} MB, ${r.params} params [${r.device ?? r.backend}${process.argv.includes('--no-simd') ? ', no SIMD' : ''}]`);
      }
      const one = byWorkers[0];
      for (const r of byWorkers.slice(1)) {
        if (one.secondsPerStep && r.secondsPerStep) console.error(`  scaling: ${one.workers} → ${r.workers} workers: ${(one.secondsPerStep / r.secondsPerStep).toFixed(2)}x`);
      }
      const refDir = arg(CONFIGS[config].space === 'nb201' ? 'reference-nb201' : 'reference', '');
      if (refDir) {
        const refs = arg('reference-threads', '0').split(',').map((t) => referenceCase(one, refDir, Number(t), steps));
        for (const r of byWorkers) {
          r.reference = refs;
          console.error(`  tfnas with ${r.workers} worker${r.workers === 1 ? '' : 's'}:`);
          refs.forEach((ref) => reportReference(r, ref));
        }
      }
    }
  }
  if (process.argv.includes('--json')) process.stdout.write(JSON.stringify(results) + '\n');
}

main().catch((e) => {
  console.error(`bench-search: ${(e as Error).message}`);
  process.exit(1);
});
