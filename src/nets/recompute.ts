import * as tf from '@tensorflow/tfjs';
import { OpContext, ParamBuilder, Weights } from '../ops/context';

/**
 * The recompute engine (gradient checkpointing, Chen et al. 2016) shared by the supernet and the
 * discrete network: a block of ops that reads its parameters by name from the context becomes one
 * tape node keeping only its inputs and parameters, and its backward recomputes it.
 */

/** Runs `make` and lists the parameters it created in the builder. */
export function tracked<T>(b: ParamBuilder, make: () => T): { value: T; params: string[] } {
  const before = new Set(Object.keys(b.params));
  const value = make();
  return { value, params: Object.keys(b.params).filter((k) => !before.has(k)) };
}

/** The engine's tape slot, which a gradient computed inside a backward pass would clear. */
interface EngineState {
  activeTape: unknown;
}

/**
 * Gradient checkpointing for any block of the supernet: `run(inputs, ctx)` is one tape node that
 * keeps only `inputs` and the parameters named in `params`; its backward recomputes `run` under a
 * fresh tape (with BatchNorm statistics not collected again) and returns their gradients. Blocks
 * nest (cells of checkpointed edges): each level restores the enclosing tape, which tfjs's
 * gradients() would otherwise clear when it finishes.
 */
export function checkpointed(run: (inputs: tf.Tensor[], ctx: OpContext) => tf.Tensor4D, inputs: tf.Tensor[], allParams: string[], ctx: OpContext): tf.Tensor4D {
  const n = inputs.length;
  const params = gradParams(allParams, ctx);
  const f = tf.customGrad((...args: unknown[]) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    save(args.slice(0, -1) as tf.Tensor[]);
    return {
      value: run(inputs, ctx),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const state = (tf.engine() as unknown as { state: EngineState }).state;
        const outerTape = state.activeTape;
        try {
          return tf.grads((...xs: tf.Tensor[]) => {
            const w: Weights = { ...ctx.w };
            params.forEach((name, i) => (w[name] = xs[n + i]));
            return run(xs.slice(0, n), { ...ctx, w, bnUpdates: null });
          })(saved, dy); // dy seeds the backward directly (no Σ(out·dy) and its gradient)
        } finally {
          state.activeTape = outerTape;
        }
      },
    };
  });
  return f(...inputs, ...params.map((name) => ctx.w[name])) as tf.Tensor4D;
}

/** The parameters whose gradients a checkpointed block must return (none when ctx.paramGrads is false). */
export function gradParams(params: string[], ctx: OpContext): string[] {
  return ctx.paramGrads === false ? [] : params;
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

/** Gradients of `f(x, params)` seeded with `dy`, for x and then the named parameters. */
export function blockGrads(f: (x: tf.Tensor4D, c: OpContext) => tf.Tensor4D, x: tf.Tensor, names: string[], dy: tf.Tensor, ctx: OpContext): tf.Tensor[] {
  return tf.grads((h: tf.Tensor, ...ps: tf.Tensor[]) => {
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
