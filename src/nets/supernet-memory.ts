import type { Recompute } from '../ops/context';
import type { SupernetSpace } from './supernet';

/**
 * How much memory a supernet's training step needs without gradient checkpointing, and the choice
 * of `--recompute auto`: `none` (one forward per backward pass, the fastest) when that fits the
 * backend's memory, else `cells` (one extra forward, a fraction of the memory). Plain arithmetic,
 * no tensors.
 */
export type RecomputeSetting = Recompute | 'auto';
export const RECOMPUTE_SETTINGS: readonly RecomputeSetting[] = ['auto', 'none', 'edges', 'cells'];

export interface StepShape {
  batch: number;
  C: number;
  /** DARTS: total cells; NAS-Bench-201: cells per stage. */
  layers: number;
  height: number;
  width: number;
}

/**
 * Peak tensor bytes per batch image, channel and pixel of the first cell's resolution, weighted by
 * cell (below), measured with the engine's byte count over one second-order step with
 * `recompute none` on wasm (the largest of: DARTS batch 8/16, C 8/16, 5/8 cells, 16/32 px: 4,380–
 * 4,690, or 4,790 at 16 px; NAS-Bench-201 batch 8/16, C 8/16: 4,800–5,030), rounded up.
 */
const BYTES_PER_UNIT: Record<SupernetSpace, number> = { darts: 4800, nb201: 5100 };

/**
 * Σ over cells of the cell's activation size relative to the first cell's: a reduction halves the
 * resolution and doubles the channels, so each stage weighs half the one before. DARTS places
 * reductions at ⌊L/3⌋ and ⌊2L/3⌋ (model_search.py). NAS-Bench-201's constant was measured with its
 * skeleton of three stages of 5 cells; other depths scale with the cells per stage.
 */
export function cellWeight(space: SupernetSpace, layers: number): number {
  if (space === 'nb201') return layers / 5;
  let stage = 0;
  let sum = 0;
  for (let i = 0; i < layers; i++) {
    if (i === Math.floor(layers / 3) || i === Math.floor((2 * layers) / 3)) stage++;
    sum += 0.5 ** stage;
  }
  return sum;
}

/**
 * Without tfnas's fused kernels (wasm without SIMD, and the other backends) batch norm and the mixed
 * edge keep their tfjs-op intermediates for the backward pass: measured 5,803 MB instead of 2,910 MB
 * at DARTS batch 32, C 8, 5 cells (wasm with TFNAS_SIMD=0).
 */
const UNFUSED_FACTOR = 2;

/** Estimated peak tensor bytes of one search step with `recompute none`. */
export function activationBytes(space: SupernetSpace, s: StepShape, fused = true): number {
  return BYTES_PER_UNIT[space] * s.batch * s.C * s.height * s.width * cellWeight(space, s.layers) * (fused ? 1 : UNFUSED_FACTOR);
}

const GiB = 2 ** 30;

/** What tfnas knows of a GPU backend's device (webgpu's adapter, or `--gpu-memory`). */
export interface DeviceMemory {
  /** `--gpu-memory` in bytes: the device's memory, which neither GPU backend reports. */
  gpuMemoryBytes?: number | null;
  /** webgpu on a fallback (software) adapter: its buffers live in the machine's memory. */
  fallbackAdapter?: boolean;
}

/**
 * Memory the activations may take on a backend, or null when it cannot be known. wasm: the heap
 * stops at 4 GiB, of which 1 is left for parameters, optimiser state, batches and fragmentation;
 * cpu and tensorflow (native, CPU): half the machine's memory. GPU backends (tensorflow-gpu,
 * webgpu): WebGPU reports only per-buffer limits (maxBufferSize), never the device's memory, and
 * libtensorflow does not say either; so 3/4 of `--gpu-memory` (the rest for parameters, optimiser
 * state, batches and the allocator's slack, as on wasm), else unknown and `auto` checkpoints.
 * A fallback adapter (SwiftShader) allocates from the machine's memory: half of it, as cpu.
 */
export function memoryBudget(backend: string, totalMemBytes: number, device: DeviceMemory = {}): number | null {
  if (backend === 'wasm') return 3 * GiB;
  if (backend === 'cpu' || backend === 'tensorflow') return totalMemBytes / 2;
  if (backend !== 'webgpu' && backend !== 'tensorflow-gpu') return null;
  if (device.gpuMemoryBytes) return (device.gpuMemoryBytes * 3) / 4;
  if (backend === 'webgpu' && device.fallbackAdapter) return totalMemBytes / 2;
  return null;
}

export interface RecomputeChoice {
  mode: Recompute;
  setting: RecomputeSetting;
  estimateBytes: number;
  budgetBytes: number | null;
}

/**
 * `setting` itself, or for `auto`: `none` if the estimate fits the budget, else `cells`. `fused`:
 * whether tfnas's fused kernels run (backend/simd `fusedKernelsActive()`).
 */
export function resolveRecompute(
  setting: RecomputeSetting, space: SupernetSpace, shape: StepShape, backend: string, totalMemBytes: number, fused: boolean, device: DeviceMemory = {},
): RecomputeChoice {
  const estimateBytes = activationBytes(space, shape, fused);
  const budgetBytes = memoryBudget(backend, totalMemBytes, device);
  if (setting !== 'auto') return { mode: setting, setting, estimateBytes, budgetBytes };
  const fits = budgetBytes !== null && estimateBytes <= budgetBytes;
  return { mode: fits ? 'none' : 'cells', setting, estimateBytes, budgetBytes };
}
