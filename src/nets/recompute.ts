import * as tf from '@tensorflow/tfjs';
import { OpContext, Weights } from '../ops/context';
import { gradsAllowingUnused } from './supernet-edge';

/**
 * The recompute engine (gradient checkpointing, Chen et al. 2016) that the supernet and the
 * discrete network share: `checkpointed` turns any block of ops that reads its parameters by name
 * from the context into one tape node keeping only its inputs and parameters, whose backward
 * recomputes it (defined beside the supernet's mixed edge, supernet-edge.ts); and the helpers of
 * the cells that walk their DAG back by hand (supernet-darts-cell.ts, network-cell.ts).
 */
export { checkpointed, gradParams, tracked } from './supernet-edge';

/** The engine's tape slot, which a gradient computed inside a backward pass would clear. */
interface EngineState {
  activeTape: unknown;
}

/** Runs `body` (which computes gradients inside a backward pass) and restores the enclosing tape. */
export function withOuterTape<T>(body: () => T): T {
  const state = (tf.engine() as unknown as { state: EngineState }).state;
  const outerTape = state.activeTape;
  try {
    return body();
  } finally {
    state.activeTape = outerTape;
  }
}

/**
 * Gradients of `f(x, params)` seeded with `dy`, for x and then the named parameters; a parameter
 * the output does not depend on gets zeros.
 */
export function blockGrads(f: (x: tf.Tensor4D, c: OpContext) => tf.Tensor4D, x: tf.Tensor, names: string[], dy: tf.Tensor, ctx: OpContext): tf.Tensor[] {
  return gradsAllowingUnused((h: tf.Tensor, ...ps: tf.Tensor[]) => {
    const w: Weights = { ...ctx.w };
    names.forEach((name, i) => (w[name] = ps[i]));
    return f(h as tf.Tensor4D, { ...ctx, w });
  })([x, ...names.map((n) => ctx.w[n])], dy);
}

/** acc + g, consuming both (g alone when acc is null). */
export function addInto(acc: tf.Tensor | null, g: tf.Tensor): tf.Tensor {
  if (!acc) return g;
  const sum = tf.add(acc, g);
  tf.dispose([acc, g]);
  return sum;
}
