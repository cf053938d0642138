import { activationBytes, memoryBudget, resolveRecompute, RECOMPUTE_SETTINGS } from './supernet-memory';

const GiB = 2 ** 30;
const paper = { batch: 64, C: 16, layers: 8, height: 32, width: 32 };
const small = { batch: 32, C: 8, layers: 5, height: 32, width: 32 };

describe('activation memory estimate', () => {
  test('matches the measured peak tensor bytes of one step without checkpointing (wasm, ±10%)', () => {
    // Measured with the engine's byte count, order 2, recompute none.
    const measured: [Parameters<typeof activationBytes>[0], number, number, number, number, number][] = [
      ['darts', 8, 8, 5, 32, 731.9], ['darts', 16, 8, 5, 32, 1457.7], ['darts', 8, 16, 5, 32, 1471.2],
      ['darts', 8, 8, 8, 32, 1163.0], ['darts', 8, 8, 5, 16, 187.3], ['darts', 32, 8, 5, 32, 2910],
      ['nb201', 8, 16, 5, 32, 628.2], ['nb201', 16, 16, 5, 32, 1198.4], ['nb201', 8, 8, 5, 32, 299.7],
    ];
    for (const [space, batch, C, layers, px, mib] of measured) {
      const est = activationBytes(space, { batch, C, layers, height: px, width: px }) / 2 ** 20;
      expect(est).toBeGreaterThanOrEqual(mib * 0.99); // never much below: it decides what fits
      expect(est).toBeLessThanOrEqual(mib * 1.1);
    }
  });

  test('scales linearly with batch, channels and pixels', () => {
    const base = activationBytes('darts', small);
    expect(activationBytes('darts', { ...small, batch: 64 })).toBeCloseTo(2 * base);
    expect(activationBytes('darts', { ...small, C: 16 })).toBeCloseTo(2 * base);
    expect(activationBytes('darts', { ...small, height: 16, width: 16 })).toBeCloseTo(base / 4);
  });
});

describe('--recompute auto', () => {
  test('the paper configuration checkpoints on wasm (about 20 GB without), batch 32 / C 8 / 5 cells does not', () => {
    expect(activationBytes('darts', paper) / GiB).toBeGreaterThan(15);
    expect(resolveRecompute('auto', 'darts', paper, 'wasm', 24 * GiB, true).mode).toBe('cells');
    expect(resolveRecompute('auto', 'darts', small, 'wasm', 24 * GiB, true).mode).toBe('none');
  });

  test('without the fused kernels (wasm without SIMD) twice the memory: batch 32 / C 8 / 5 cells then checkpoints', () => {
    expect(activationBytes('darts', small, false)).toBeCloseTo(2 * activationBytes('darts', small));
    expect(resolveRecompute('auto', 'darts', small, 'wasm', 24 * GiB, false).mode).toBe('cells');
  });

  test('budgets: wasm 3 GiB of its 4 GiB heap, CPU backends half the machine, GPU unknown (always checkpoint)', () => {
    expect(memoryBudget('wasm', 64 * GiB)).toBe(3 * GiB);
    expect(memoryBudget('cpu', 24 * GiB)).toBe(12 * GiB);
    expect(memoryBudget('tensorflow', 24 * GiB)).toBe(12 * GiB);
    expect(memoryBudget('tensorflow-gpu', 24 * GiB)).toBeNull();
    expect(resolveRecompute('auto', 'darts', { ...small, batch: 1 }, 'tensorflow-gpu', 24 * GiB, false).mode).toBe('cells');
    expect(resolveRecompute('auto', 'darts', paper, 'tensorflow', 128 * GiB, false).mode).toBe('none'); // ~40 GB ≤ 64 GiB
  });

  test('GPU backends: 3/4 of --gpu-memory, else unknown; a fallback webgpu adapter uses half the machine', () => {
    for (const gpu of ['webgpu', 'tensorflow-gpu']) {
      expect(memoryBudget(gpu, 24 * GiB)).toBeNull();
      expect(memoryBudget(gpu, 24 * GiB, { gpuMemoryBytes: 80 * GiB })).toBe(60 * GiB);
      // paper settings (~40 GB) fit an 80 GiB GPU, not a 24 GiB one
      expect(resolveRecompute('auto', 'darts', paper, gpu, 24 * GiB, false, { gpuMemoryBytes: 80 * GiB }).mode).toBe('none');
      expect(resolveRecompute('auto', 'darts', paper, gpu, 24 * GiB, false, { gpuMemoryBytes: 24 * GiB }).mode).toBe('cells');
      expect(resolveRecompute('auto', 'darts', { ...small, batch: 1 }, gpu, 24 * GiB, false).mode).toBe('cells');
    }
    expect(memoryBudget('webgpu', 24 * GiB, { fallbackAdapter: true })).toBe(12 * GiB);
    expect(memoryBudget('webgpu', 24 * GiB, { fallbackAdapter: true, gpuMemoryBytes: 8 * GiB })).toBe(6 * GiB);
    expect(memoryBudget('tensorflow-gpu', 24 * GiB, { fallbackAdapter: true })).toBeNull();
  });

  test('an explicit mode is kept whatever the estimate', () => {
    for (const mode of RECOMPUTE_SETTINGS.filter((m) => m !== 'auto')) {
      const choice = resolveRecompute(mode, 'darts', paper, 'wasm', GiB, true);
      expect(choice.mode).toBe(mode);
      expect(choice.estimateBytes).toBeGreaterThan(0);
    }
  });
});
