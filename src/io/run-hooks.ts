/**
 * What a library caller hands a long run (a search, a retraining): a progress callback and an
 * AbortSignal. They travel in an AsyncLocalStorage, so the training loops deep below the API (the
 * epoch runner, the black-box query loop) reach them without every signature in between carrying
 * them, and two runs started from the same process keep their own.
 */
import { AsyncLocalStorage } from 'async_hooks';
import { abortedError } from './errors';

/** One progress report: a training step, a finished epoch, or a black-box query. */
export interface ProgressEvent {
  kind: 'step' | 'epoch' | 'query';
  /** 1-based epoch (step, epoch), of `epochs`. */
  epoch?: number;
  epochs?: number;
  /** 1-based step within the epoch, of `steps`. */
  step?: number;
  steps?: number;
  /** 1-based query of a black-box search, of `budget`. */
  query?: number;
  budget?: number;
  /** The figures of the step (running loss, accuracy), the epoch's log.csv row or the query's signal. */
  values: Record<string, number | string | boolean | null | undefined>;
  /** Seconds left in the whole run (epochs), where known. */
  etaSeconds?: number | null;
}

export interface RunHooks {
  onProgress?: (e: ProgressEvent) => void;
  /** Stops the run at the next step: the run folder keeps its last checkpoint, and resume continues it. */
  signal?: AbortSignal;
}

const store = new AsyncLocalStorage<RunHooks>();

/** Runs `fn` with these hooks visible to every loop it starts. */
export function withRunHooks<T>(hooks: RunHooks, fn: () => Promise<T>): Promise<T> {
  return store.run(hooks, fn);
}

/** The hooks of the run in progress (none outside withRunHooks). */
export function runHooks(): RunHooks {
  return store.getStore() ?? {};
}

/** Throws TfnasError ABORTED when the caller's signal has fired. */
export function throwIfAborted(what = 'the run'): void {
  if (runHooks().signal?.aborted) throw abortedError(what);
}

/** Reports progress to the caller (an error thrown by the callback stops the run like an abort would). */
export function reportProgress(e: ProgressEvent): void {
  runHooks().onProgress?.(e);
}
