import { OutOfMemoryError, PassInfo, guardMemory, isOutOfMemory } from './out-of-memory';

const info: PassInfo = {
  pass: 'the validation pass of epoch 2',
  config: 'darts supernet, batch 64, C=16, 8 cells, recompute cells',
  backend: 'wasm',
  estimate: 'A training step was estimated at 21.4 GB',
  kept: 'the checkpoint of epoch 1 is kept',
  advice: ['the same command with --valid-limit N and --resume', 'a new run with a smaller --batch-size (now 64)'],
};

describe('backend memory failures', () => {
  // The messages the wasm backend (Emscripten), V8 and native TensorFlow give when memory runs out.
  it.each([
    'Aborted(). Build with -sASSERTIONS for more info.',
    'memory access out of bounds',
    'Array buffer allocation failed',
    'OOM when allocating tensor with shape[64,48,32,32]',
    'Cannot enlarge memory arrays to size 4294967296 bytes',
    'failed to allocate 1073741824 bytes',
  ])('recognises %j', (message) => {
    expect(isOutOfMemory(new Error(message))).toBe(true);
    expect(isOutOfMemory(message)).toBe(true);
  });

  it.each(['--batch-size: expected a positive integer, got 0', 'checkpoint does not match this supernet', 'Room for improvement'])('leaves %j alone', (message) => {
    expect(isOutOfMemory(new Error(message))).toBe(false);
  });

  it('names the pass, the configuration, the estimate, what is kept and what to try', async () => {
    const failing = guardMemory(
      () => info,
      () => {
        throw new Error('memory access out of bounds\n    at wasm-function[123]');
      },
    );
    await expect(failing).rejects.toBeInstanceOf(OutOfMemoryError);
    await expect(failing).rejects.toThrow(
      'out of memory in the validation pass of epoch 2 (darts supernet, batch 64, C=16, 8 cells, recompute cells; backend wasm): ' +
        'the backend failed with "memory access out of bounds". A training step was estimated at 21.4 GB. ' +
        'The checkpoint of epoch 1 is kept. Try the same command with --valid-limit N and --resume; or a new run with a smaller --batch-size (now 64).',
    );
  });

  it('passes other errors and results through unchanged, and wraps only once', async () => {
    const other = new Error('checkpoint does not match this supernet');
    await expect(guardMemory(() => info, () => Promise.reject(other))).rejects.toBe(other);
    await expect(guardMemory(() => info, async () => 42)).resolves.toBe(42);
    const inner = new OutOfMemoryError(info, 'Aborted()');
    await expect(guardMemory(() => ({ ...info, pass: 'outer' }), () => Promise.reject(inner))).rejects.toBe(inner);
  });
});
