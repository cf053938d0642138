import * as tf from '@tensorflow/tfjs';
import { Op, OpContext, ParamBuilder, Weights } from '../ops/context';

/**
 * One supernet edge (DARTS MixedOp): Σ_k w_k·op_k(h) over the candidate ops, with w = softmax(α)
 * of the edge's row.
 *
 * Memory: tfjs keeps every tensor an op saves for its gradient, and the gradient of every
 * intermediate tensor, until the whole backward pass ends. Over the ~40 intermediates per edge of a
 * DARTS supernet that is several times PyTorch's footprint (the paper configuration would need
 * > 10 GB, beyond the wasm backend's 4 GB heap). With `ctx.recompute` (the default for training
 * forwards) an edge is one custom-gradient node: the forward keeps only its inputs (h, the weight
 * row and the edge's parameters), and the backward recomputes the edge under a fresh tape to get
 * their gradients, freeing the edge's intermediates right away (gradient checkpointing, Chen et
 * al. 2016). Values and gradients are the same; compute grows by one edge forward per backward.
 */
export interface Edge {
  ops: Op[];
  /** Names of the trainable parameters the edge's ops read from ctx.w. */
  params: string[];
}

/** Builds an edge with `make` and records which parameters it created. */
export function buildEdge(b: ParamBuilder, make: () => Op[]): Edge {
  const before = new Set(Object.keys(b.params));
  const ops = make();
  return { ops, params: Object.keys(b.params).filter((k) => !before.has(k)) };
}

/** Σ_k w_k·op_k(h), skipping `none` (its term is 0 and gives no gradient but through the softmax). */
function edgeValue(h: tf.Tensor4D, ops: Op[], row: tf.Tensor1D, ctx: OpContext, hRelu?: () => tf.Tensor4D): tf.Tensor4D {
  const w = tf.unstack(row) as tf.Scalar[];
  let relu: tf.Tensor4D | undefined;
  const terms: tf.Tensor4D[] = [];
  ops.forEach((op, k) => {
    if (op.zero) return;
    let y: tf.Tensor4D;
    if (op.afterRelu) {
      relu ??= hRelu ? hRelu() : tf.relu(h);
      y = op.afterRelu(relu, ctx);
    } else y = op.apply(h, ctx);
    terms.push(tf.mul(y, w[k]));
  });
  return terms.length === 1 ? terms[0] : (tf.addN(terms) as tf.Tensor4D);
}

/** The engine's tape slot, which a gradient computed inside a backward pass would clear. */
interface EngineState {
  activeTape: unknown;
}

function recomputed(h: tf.Tensor4D, edge: Edge, row: tf.Tensor1D, ctx: OpContext): tf.Tensor4D {
  const params = edge.params.map((n) => ctx.w[n]);
  const f = tf.customGrad((...args: unknown[]) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    const inputs = args.slice(0, -1) as tf.Tensor[];
    save(inputs);
    return {
      value: edgeValue(h, edge.ops, row, ctx),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const state = (tf.engine() as unknown as { state: EngineState }).state;
        const outerTape = state.activeTape;
        try {
          return tf.grads((...xs: tf.Tensor[]) => {
            const w: Weights = { ...ctx.w };
            edge.params.forEach((n, i) => (w[n] = xs[i + 2]));
            const inner: OpContext = { ...ctx, w, bnUpdates: null };
            return tf.sum(tf.mul(edgeValue(xs[0] as tf.Tensor4D, edge.ops, xs[1] as tf.Tensor1D, inner), dy));
          })(saved);
        } finally {
          state.activeTape = outerTape;
        }
      },
    };
  });
  return f(h, row, ...params) as tf.Tensor4D;
}

/**
 * The sum of a node's incoming edges. Without recomputation, ops that begin with ReLU share one
 * relu(h_j) per input (`relus`, filled lazily; pass one array per cell).
 */
export function mixedNode(inputs: tf.Tensor4D[], edges: Edge[], rows: tf.Tensor1D[], ctx: OpContext, relus: (tf.Tensor4D | undefined)[] = []): tf.Tensor4D {
  const sums = inputs.map((h, j) => {
    if (ctx.recompute && ctx.training) return recomputed(h, edges[j], rows[j], ctx);
    return edgeValue(h, edges[j].ops, rows[j], ctx, () => (relus[j] ??= tf.relu(h)));
  });
  return sums.length === 1 ? sums[0] : (tf.addN(sums) as tf.Tensor4D);
}
