import * as os from 'os';
import { badArgument } from '../../io/errors';

/**
 * `--workers`: how many data-parallel worker threads a training loop uses. Its default — one per
 * core — is resolved here and only here; TFNAS_WORKERS overrides it (the test suite sets 1, so that
 * tests pin the one-thread numbers and start no extra backends).
 */
export function defaultWorkers(): number {
  const env = process.env.TFNAS_WORKERS;
  if (env !== undefined && env !== '') return Number(env);
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
}

/** Backends whose kernels run on the CPU in this thread: the ones a worker thread can replicate. */
export const PARALLEL_BACKENDS = ['wasm', 'cpu'];

/**
 * The worker count a run uses: on a GPU or native backend the device already runs every core, so
 * the default falls back to 1 there; an explicit N ≥ 2 on one is refused.
 */
export function checkWorkers(workers: number, backend: string, explicit = true): number {
  if (!Number.isInteger(workers) || workers < 1) badArgument('workers', 'a positive integer', workers);
  if (workers === 1 || PARALLEL_BACKENDS.includes(backend)) return workers;
  if (!explicit) return 1;
  return badArgument('workers', `1 on backend ${backend} (worker threads replicate the ${PARALLEL_BACKENDS.join(' and ')} backends only)`, workers);
}
