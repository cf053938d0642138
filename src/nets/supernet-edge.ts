import * as tf from '@tensorflow/tfjs';
import { Op, OpContext, ParamBuilder, Weights, releasing } from '../ops/context';
import { fusedKernelsActive, fusedWeightedSum, fusedWeightedSumGrad } from '../ops/fused';
import { EdgeExtras, channelShuffle } from './supernet-mixing';

/**
 * One supernet edge (DARTS MixedOp): Σ_k w_k·op_k(h) over the candidate ops, with w = softmax(α)
 * of the edge's row; and gradient checkpointing for edges and cells.
 *
 * Memory: tfjs keeps every tensor an op saves for its gradient, and the gradient of every
 * intermediate tensor, until the whole backward pass ends: with ~40 intermediates per edge a DARTS
 * supernet then needs far more than PyTorch (beyond the wasm backend's heap at the paper's
 * configuration). With `ctx.recompute = 'cells'` (the search default) every cell, and every edge
 * inside it, is one custom-gradient node that keeps only its inputs and parameters; its
 * backward recomputes the block under a fresh tape (gradient checkpointing, Chen et al. 2016), so
 * only one cell's and then one edge's intermediates are alive at a time. Values and gradients are
 * the same (tested). Measured on wasm, C=8, 5 cells, batch 4, 32×32, one first-order step: peak
 * tensor memory 659 MB → 41 MB. The price is compute: up to two extra forwards of each edge per
 * step (`edges` recomputes only one). The DARTS supernet's cells also keep their node states and
 * walk their DAG by hand in the backward (supernet-darts-cell.ts), which leaves one extra forward.
 */
export interface Edge extends EdgeExtras {
  ops: Op[];
  /** Names of the trainable parameters the edge's ops read from ctx.w. */
  params: string[];
}

/** Builds an edge with `make` and records which parameters it created (and the method's extras). */
export function buildEdge(b: ParamBuilder, make: () => Op[], extras: (b: ParamBuilder) => EdgeExtras = () => ({})): Edge {
  const { value, params } = tracked(b, () => ({ ops: make(), extras: extras(b) }));
  return { ...value.extras, ops: value.ops, params };
}

/** Runs `make` and lists the parameters it created in the builder. */
export function tracked<T>(b: ParamBuilder, make: () => T): { value: T; params: string[] } {
  const before = new Set(Object.keys(b.params));
  const value = make();
  return { value, params: Object.keys(b.params).filter((k) => !before.has(k)) };
}

/**
 * An edge's output: the op mixture (on the first C/K channels with partial channels, the rest
 * bypassing it, then shuffled), plus DARTS-'s scaled auxiliary skip (supernet-mixing.ts).
 */
export function edgeValue(h: tf.Tensor4D, edge: Edge, row: tf.Tensor1D, ctx: OpContext, hRelu?: () => tf.Tensor4D): tf.Tensor4D {
  let out: tf.Tensor4D;
  if (edge.partial) {
    const { k, stride } = edge.partial;
    const c = h.shape[3] / k;
    const [opsRow, bypassScale] = tf.split(row, [edge.ops.length, 1]) as tf.Tensor1D[];
    if (k === 1) out = opsValue(h, edge, opsRow, ctx);
    else {
      const [x1, x2] = tf.split(h, [c, h.shape[3] - c], 3) as tf.Tensor4D[];
      const bypass = stride === 2 ? tf.maxPool(x2, 2, 2, 'valid') : x2;
      out = channelShuffle(tf.concat([opsValue(x1, edge, opsRow, ctx), tf.mul(bypass, bypassScale)], 3) as tf.Tensor4D, k);
    }
  } else out = opsValue(h, edge, row, ctx, hRelu);
  if (edge.aux && edge.aux.state.auxScale !== 0) out = tf.add(out, tf.mul(edge.aux.op.apply(h, ctx), edge.aux.state.auxScale));
  return out;
}

/** Σ_k w_k·op_k(h), skipping `none` (its term is 0 and gives no gradient but through the softmax); GDAS: the drawn op only. */
function opsValue(h: tf.Tensor4D, edge: Edge, row: tf.Tensor1D, ctx: OpContext, hRelu?: () => tf.Tensor4D): tf.Tensor4D {
  const ops = edge.ops;
  if (edge.selected !== undefined && edge.selected !== null) return sampledValue(h, ops, edge.selected, row, ctx);
  let relu: tf.Tensor4D | undefined;
  const terms: tf.Tensor4D[] = [];
  const indices: number[] = [];
  ops.forEach((op, k) => {
    if (op.zero) return;
    if (op.afterRelu) {
      relu ??= hRelu ? hRelu() : tf.relu(h);
      terms.push(op.afterRelu(relu, ctx));
    } else terms.push(op.apply(h, ctx));
    indices.push(k);
  });
  return weightedSum(terms, row, indices);
}

/**
 * GDAS's edge (search_cells.py forward_gdas): w_s·op_s(h) for the drawn op s, plus the other
 * weights as scalars (their values are 0; they carry the straight-through gradient as the reference's).
 */
function sampledValue(h: tf.Tensor4D, ops: Op[], s: number, row: tf.Tensor1D, ctx: OpContext): tf.Tensor4D {
  const w = tf.unstack(row) as tf.Scalar[];
  const rest = w.filter((_, k) => k !== s);
  const out = tf.mul(ops[s].apply(h, ctx), w[s]) as tf.Tensor4D;
  return rest.length === 0 ? out : (tf.add(out, tf.addN(rest)) as tf.Tensor4D);
}

/**
 * Σ_k row[indices[k]]·terms[k]: one fused kernel each way where available (wasm SIMD), else tfjs
 * ops. Same values either way (tested).
 */
export function weightedSum(terms: tf.Tensor4D[], row: tf.Tensor1D, indices: number[]): tf.Tensor4D {
  if (!fusedKernelsActive()) {
    const w = tf.unstack(row) as tf.Scalar[];
    const scaled = terms.map((t, k) => tf.mul(t, w[indices[k]]) as tf.Tensor4D);
    return scaled.length === 1 ? scaled[0] : (tf.addN(scaled) as tf.Tensor4D);
  }
  const f = tf.customGrad((...args: unknown[]) => {
    const [w, ...ts] = args.slice(0, -1) as tf.Tensor[];
    (args[args.length - 1] as tf.GradSaveFunc)([w, ...ts]);
    return {
      value: fusedWeightedSum(w, ts, indices),
      gradFunc: (dy: tf.Tensor, [sw, ...sts]: tf.Tensor[]) => fusedWeightedSumGrad(dy, sw, sts, indices),
    };
  });
  return f(row, ...terms) as tf.Tensor4D;
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
          return gradsAllowingUnused((...xs: tf.Tensor[]) => {
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

/**
 * tf.grads, except that an input the output does not depend on gets a zero gradient instead of an
 * error: under GDAS an edge computes only its drawn op, so the other ops' parameters go unused.
 */
export function gradsAllowingUnused(f: (...xs: tf.Tensor[]) => tf.Tensor, xs?: tf.Tensor[], dy?: tf.Tensor): (xs: tf.Tensor[], dy?: tf.Tensor) => tf.Tensor[] {
  return (inputs, seed) => {
    const { value, grads } = tf.engine().gradients(() => f(...inputs), inputs, seed ?? dy, true);
    value.dispose();
    return grads.map((g, i) => g ?? tf.zerosLike(inputs[i]));
  };
}

/** The parameters whose gradients a checkpointed block must return (none when ctx.paramGrads is false). */
export function gradParams(params: string[], ctx: OpContext): string[] {
  return ctx.paramGrads === false ? [] : params;
}

function recomputed(h: tf.Tensor4D, edge: Edge, row: tf.Tensor1D, ctx: OpContext): tf.Tensor4D {
  return checkpointed(([x, r], c) => edgeValue(x as tf.Tensor4D, edge, r as tf.Tensor1D, c), [h, row], edge.params, ctx);
}

/**
 * The sum of a node's incoming edges. Without recomputation, ops that begin with ReLU share one
 * relu(h_j) per input (`relus`, filled lazily; pass one array per cell).
 */
export function mixedNode(inputs: tf.Tensor4D[], edges: Edge[], rows: tf.Tensor1D[], ctx: OpContext, relus: (tf.Tensor4D | undefined)[] = []): tf.Tensor4D {
  const sums = inputs.map((h, j) => {
    if ((ctx.recompute === 'edges' || ctx.recompute === 'cells') && ctx.training) return recomputed(h, edges[j], rows[j], ctx);
    const relu = () => (relus[j] ??= tf.relu(h));
    // The shared relu(h) outlives this edge's scope (other edges read it): made before entering it.
    if (!edges[j].partial && edges[j].ops.some((op) => op.afterRelu && !op.zero)) relu();
    return releasing(() => edgeValue(h, edges[j], rows[j], ctx, relu));
  });
  return sums.length === 1 ? sums[0] : (tf.addN(sums) as tf.Tensor4D);
}
