import * as tf from '@tensorflow/tfjs';
import { Apply, Op, OpContext, Weights } from '../ops/context';
import { dropPath } from '../ops/drop-path';
import { addInto, blockGrads, checkpointed, gradParams, withOuterTape } from './recompute';

/**
 * One cell of the discrete network (model.py Cell) and its gradient checkpointing.
 *
 * `recompute: 'cells'`: the cell is one custom-gradient node that keeps its inputs, its parameters
 * and the node states its edges read (one feature map each; the preprocessed inputs s0', s1' are
 * recomputed from the inputs, a 1×1 conv each). Its backward walks the DAG in
 * reverse by hand, as the supernet's DARTS cell does (supernet-darts-cell.ts): each edge is
 * recomputed under its own short tape from the state it reads, seeded with its node's gradient,
 * then the two preprocessing ops. So a step runs each op twice (one extra forward), and only one
 * edge's intermediates are alive at a time in either pass. `edges`: each edge is a checkpointed
 * node of the recompute engine. Drop-path masks are a function of (seed, epoch, step, cell, edge),
 * so a recomputed edge drops exactly what its first forward dropped.
 */
export interface CellEdge {
  op: Op;
  from: number;
  identity: boolean;
  params: string[];
}

export interface CellParts {
  index: number;
  pre0: Apply;
  pre1: Apply;
  pre0Params: string[];
  pre1Params: string[];
  /** Two per intermediate node, in node order. */
  edges: CellEdge[];
  concat: number[];
}

/** One edge on its input state: ReLU (given, or its own) → op → drop-path (training, not after identity). */
function edgeValue(p: CellParts, k: number, h: tf.Tensor4D, ctx: OpContext, relu?: () => tf.Tensor4D): tf.Tensor4D {
  const e = p.edges[k];
  const y = e.op.afterRelu ? e.op.afterRelu(relu ? relu() : tf.relu(h), ctx) : e.op.apply(h, ctx);
  return e.identity || !ctx.training ? y : dropPath(y, ctx.dropPath, p.index, k);
}

/**
 * The node states of the cell. Without recomputation, ops that begin with ReLU share one
 * relu(state) per state; with `edges`, each edge is a checkpointed node; `own`: each edge runs in
 * its own scope (no tape is recording: the forward of a checkpointed cell).
 */
function cellStates(p: CellParts, s0: tf.Tensor4D, s1: tf.Tensor4D, ctx: OpContext, own = false): tf.Tensor4D[] {
  const states = own ? [tf.tidy(() => p.pre0(s0, ctx)), tf.tidy(() => p.pre1(s1, ctx))] : [p.pre0(s0, ctx), p.pre1(s1, ctx)];
  const relus: tf.Tensor4D[] = [];
  const edgeRecompute = ctx.recompute === 'edges' && ctx.training;
  for (let node = 0; node < p.edges.length / 2; node++) {
    const ys = [2 * node, 2 * node + 1].map((k) => {
      const e = p.edges[k];
      const h = states[e.from];
      if (own) return tf.tidy(() => edgeValue(p, k, h, ctx));
      const relu = () => (relus[e.from] ??= tf.relu(h));
      if (!edgeRecompute || e.identity) return edgeValue(p, k, h, ctx, relu);
      const input = e.op.afterRelu ? relu() : h;
      return checkpointed(([x], c) => edgeValue(p, k, x as tf.Tensor4D, c, () => x as tf.Tensor4D), [input], e.params, ctx);
    });
    states.push(tf.add(ys[0], ys[1]));
  }
  return states;
}

function cellOutput(p: CellParts, states: tf.Tensor4D[]): tf.Tensor4D {
  const outs = p.concat.map((i) => states[i]);
  return outs.length === 1 ? tf.clone(outs[0]) : tf.concat(outs, 3);
}

/** The cell's output, checkpointed as ctx.recompute says (in training). */
export function cellForward(p: CellParts, s0: tf.Tensor4D, s1: tf.Tensor4D, ctx: OpContext): tf.Tensor4D {
  if (ctx.recompute === 'cells' && ctx.training) return checkpointedCell(p, s0, s1, ctx);
  return cellOutput(p, cellStates(p, s0, s1, ctx));
}

function checkpointedCell(p: CellParts, s0: tf.Tensor4D, s1: tf.Tensor4D, ctx: OpContext): tf.Tensor4D {
  const same = s0 === s1;
  const inputs: tf.Tensor[] = same ? [s0] : [s0, s1];
  const params = gradParams([...p.pre0Params, ...p.pre1Params, ...p.edges.flatMap((e) => e.params)], ctx);
  // The node states some edge reads, which the backward needs; the preprocessed inputs (0, 1) are
  // recomputed there instead (two 1×1 convs), the rest live on in the cell's output.
  const read = [...new Set(p.edges.filter((e) => !e.identity && e.from >= 2).map((e) => e.from))];
  const f = tf.customGrad((...args: unknown[]) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    const n = args.length - 1;
    const states = cellStates(p, s0, s1, ctx, true);
    save([...(args.slice(0, n) as tf.Tensor[]), ...read.map((i) => states[i])]);
    return {
      value: cellOutput(p, states),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [x0, x1] = (same ? [saved[0], saved[0]] : saved.slice(0, 2)) as tf.Tensor4D[];
        const w: Weights = { ...ctx.w };
        params.forEach((name, i) => (w[name] = saved[inputs.length + i]));
        const bctx: OpContext = { ...ctx, w, bnUpdates: null, recompute: 'none' };
        const kept: tf.Tensor4D[] = [tf.tidy(() => p.pre0(x0, bctx)), tf.tidy(() => p.pre1(x1, bctx))];
        read.forEach((i, k) => (kept[i] = saved[n + k] as tf.Tensor4D));
        const grads = withOuterTape(() => cellBackward(p, dy as tf.Tensor4D, kept, x0, x1, bctx));
        tf.dispose([kept[0], kept[1]]);
        const dInputs = same ? [addInto(grads.ds0, grads.ds1)] : [grads.ds0, grads.ds1];
        return [...dInputs, ...params.map((name) => grads.params[name] ?? tf.zerosLike(w[name]))];
      },
    };
  });
  return f(...inputs, ...params.map((name) => ctx.w[name])) as tf.Tensor4D;
}

interface CellGrads {
  ds0: tf.Tensor;
  ds1: tf.Tensor;
  params: Record<string, tf.Tensor>;
}

/** Walks the cell back node by node from the kept states (those some edge reads); see the file comment. */
function cellBackward(p: CellParts, dy: tf.Tensor4D, states: tf.Tensor4D[], s0: tf.Tensor4D, s1: tf.Tensor4D, ctx: OpContext): CellGrads {
  const d: (tf.Tensor | null)[] = new Array(2 + p.edges.length / 2).fill(null);
  const parts = p.concat.length === 1 ? [tf.clone(dy)] : tf.split(dy, p.concat.length, 3);
  parts.forEach((g, k) => (d[p.concat[k]] = addInto(d[p.concat[k]], g)));
  const params: Record<string, tf.Tensor> = {};
  for (let node = p.edges.length / 2 - 1; node >= 0; node--) {
    const g = d[node + 2];
    if (!g) continue;
    for (const k of [2 * node, 2 * node + 1]) {
      const e = p.edges[k];
      if (e.identity) {
        d[e.from] = addInto(d[e.from], tf.clone(g));
        continue;
      }
      const names = gradParams(e.params, ctx);
      const [dh, ...dParams] = blockGrads((h, c) => edgeValue(p, k, h, c), states[e.from], names, g, ctx);
      d[e.from] = addInto(d[e.from], dh);
      names.forEach((name, i) => (params[name] = dParams[i]));
    }
    g.dispose();
    d[node + 2] = null;
  }
  const pre = (f: Apply, x: tf.Tensor4D, all: string[], g: tf.Tensor | null, like: tf.Tensor4D) => {
    const names = gradParams(all, ctx);
    const [dx, ...dParams] = blockGrads(f, x, names, g ?? tf.zerosLike(like), ctx);
    names.forEach((name, i) => (params[name] = dParams[i]));
    g?.dispose();
    return dx;
  };
  const ds0 = pre(p.pre0, s0, p.pre0Params, d[0], states[0]);
  const ds1 = pre(p.pre1, s1, p.pre1Params, d[1], states[1]);
  return { ds0, ds1, params };
}
