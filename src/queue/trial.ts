/**
 * A worker's trial and probe jobs: the search's evaluator is built from the job's `tfnas search`
 * options by the same functions the CLI uses (prepareBlackBox, buildBlackBoxEvaluator), once per
 * search (cached by its options: a table is loaded once, a dataset once), and scores one candidate.
 */
import type IORedis from 'ioredis';
import { useBackend } from '../backend';
import { UsageError } from '../io/errors';
import { buildBlackBoxEvaluator, prepareBlackBox } from '../api/search-blackbox';
import type { Evaluator } from '../search/evaluators/registry';
import { checkCommand, type ProbeJob, type TrialJob, type WorkerRoots } from './payload';
import type { ProbeResult, TrialResult } from './queue-client';

export interface TrialContext {
  roots: WorkerRoots;
  backend: string;
  workerId: string;
  redis: IORedis;
  /** The evaluators built so far, by their search's options. */
  evaluators: Map<string, Promise<{ evaluator: Evaluator; space: ReturnType<typeof prepareBlackBox>['space'] }>>;
}

/** Searches kept at once; more are built again when needed (a worker may serve many searches). */
const MAX_CACHED = 8;
let backendStarted: Promise<string> | null = null;

function evaluatorFor(argv: string[], ctx: TrialContext) {
  const cacheKey = JSON.stringify(argv);
  let e = ctx.evaluators.get(cacheKey);
  if (!e) {
    e = (async () => {
      const { options } = checkCommand(['search', ...argv], ctx.roots);
      if (String(options.strategy ?? 'darts') === 'darts') throw new UsageError('job: a trial needs a black-box --strategy, not darts');
      const a = prepareBlackBox(options);
      if (a.evaluatorName !== 'nb201') await (backendStarted ??= useBackend(ctx.backend));
      return { evaluator: await buildBlackBoxEvaluator(a), space: a.space };
    })();
    e.catch(() => ctx.evaluators.delete(cacheKey));
    if (ctx.evaluators.size >= MAX_CACHED) ctx.evaluators.delete(ctx.evaluators.keys().next().value as string);
    ctx.evaluators.set(cacheKey, e);
  }
  return e;
}

export async function trialJob(d: TrialJob, ctx: TrialContext): Promise<TrialResult> {
  const { evaluator, space } = await evaluatorFor(d.argv, ctx);
  let g;
  try {
    g = space.fromKey(d.key);
  } catch (e) {
    throw new UsageError(`job: ${JSON.stringify(d.key)} is not a ${space.name} architecture: ${(e as Error).message}`);
  }
  if (!space.isValid(g)) throw new UsageError(`job: ${JSON.stringify(d.key)} is not a valid ${space.name} architecture`);
  const t0 = performance.now();
  const r = await evaluator.evaluate(g, d.ask);
  return { key: d.key, signal: r.signal, ...(r.testAccuracy !== undefined ? { testAccuracy: r.testAccuracy } : {}), worker: ctx.workerId, seconds: Number(((performance.now() - t0) / 1000).toFixed(4)) };
}

export async function probeJob(d: ProbeJob, ctx: TrialContext): Promise<ProbeResult> {
  const { evaluator } = await evaluatorFor(d.argv, ctx);
  return { name: evaluator.name, describe: evaluator.describe };
}
