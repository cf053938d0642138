/**
 * Memory failures inside a backend, reported as what they are. The wasm backend's heap stops at
 * 4 GiB; past it Emscripten aborts (`Aborted(). Build with -sASSERTIONS for more info.`), or a
 * kernel writes past the heap (`memory access out of bounds`), or an allocation fails outright
 * (V8's `Array buffer allocation failed`, TensorFlow's `OOM when allocating`). None of those says
 * which pass ran out of memory or what to change, so the training loops wrap each pass in
 * `guardMemory`, which turns them into an OutOfMemoryError naming the pass, the configuration,
 * the memory estimate, what is kept and what to try. After such a failure the backend is unusable:
 * the run stops, and the last finished epoch's checkpoint (written atomically) is left as it was.
 */
import { firstLine } from '../io/errors';

const PATTERNS: readonly RegExp[] = [
  /^Aborted\(/,
  /memory access out of bounds/i,
  /out of memory/i,
  /\bOOM\b/,
  /array buffer allocation failed/i,
  /cannot enlarge memory/i,
  /failed to (allocate|grow)/i,
];

/** Whether `e` is a backend's memory failure (see above). */
export function isOutOfMemory(e: unknown): boolean {
  if (e instanceof OutOfMemoryError) return true;
  const message = e instanceof Error ? e.message : typeof e === 'string' ? e : '';
  return PATTERNS.some((p) => p.test(message));
}

export interface PassInfo {
  /** What ran, e.g. `the validation pass of epoch 1`. */
  pass: string;
  /** The configuration, e.g. `DARTS supernet, batch 64, C=16, 8 cells, recompute cells`. */
  config: string;
  backend: string;
  /** What the memory estimate said, when there is one. */
  estimate?: string;
  /** What is left of the run, e.g. `the checkpoint of epoch 3 is kept`. */
  kept: string;
  /** What to try, in order (each a complete suggestion). */
  advice: string[];
}

export class OutOfMemoryError extends Error {
  constructor(readonly info: PassInfo, readonly original: string) {
    const estimate = info.estimate ? ` ${info.estimate}.` : '';
    super(
      `out of memory in ${info.pass} (${info.config}; backend ${info.backend}): the backend failed with "${original}".` +
        `${estimate} ${capitalise(info.kept)}. Try ${info.advice.join('; or ')}.`,
    );
    this.name = 'OutOfMemoryError';
  }
}

/** Runs `pass`; a memory failure inside it becomes an OutOfMemoryError described by `info()`. */
export async function guardMemory<T>(info: () => PassInfo, pass: () => Promise<T> | T): Promise<T> {
  try {
    return await pass();
  } catch (e) {
    if (e instanceof OutOfMemoryError || !isOutOfMemory(e)) throw e;
    throw new OutOfMemoryError(info(), firstLine(e).trim());
  }
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}


/** Bytes as `21.4 GB` (decimal, as the README and the estimate's log lines print them). */
export function formatBytes(bytes: number): string {
  return `${(bytes / 1e9).toFixed(1)} GB`;
}

/**
 * Frees `owner` after a failure. After a memory failure the backend may fail again while freeing:
 * the first error, the one being thrown, is what the user must see.
 */
export function disposeQuietly(owner: { dispose(): void }): void {
  try {
    owner.dispose();
  } catch {
    // the error already being thrown says what went wrong
  }
}
