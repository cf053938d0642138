import * as tf from '@tensorflow/tfjs';
import { Apply, OpContext, Weights } from '../ops/context';
import { Edge, edgeValue, gradParams, gradsAllowingUnused, mixedNode } from './supernet-edge';
import { addInto, blockGrads, withOuterTape } from './recompute';

/**
 * A DARTS search cell's parts, and its gradient checkpointing in `recompute: 'cells'` mode.
 *
 * The cell is one custom-gradient node that keeps its inputs, its parameters and its node states
 * [s0', s1', n2, …] (one feature map each, a few MB per cell at the paper's configuration). Its
 * backward walks the DAG in reverse by hand: node by node, each incoming edge is recomputed once
 * under its own tape from the kept state it reads (as the 'edges' mode does) and its gradient is
 * added to that state's; last the two preprocessing ops are recomputed. Without the kept states
 * the backward would first recompute the whole cell (its edges checkpointed) and then every edge
 * again, three forwards per step instead of two; at batch 16, C 8, 5 cells that was ~25% of a step.
 * Only one edge's intermediates are alive at a time, as before.
 */
export interface CellParts {
  pre0: Apply;
  pre1: Apply;
  pre0Params: string[];
  pre1Params: string[];
  /** Edges in the reference's order: node 2 from inputs 0, 1; node 3 from 0, 1, 2; … */
  edges: Edge[];
  steps: number;
  /** The cell output concatenates the last `multiplier` node states. */
  multiplier: number;
}

/** All node states [s0', s1', n2, …] of the cell (mixedNode applies ctx.recompute to the edges). */
export function cellStates(p: CellParts, s0: tf.Tensor4D, s1: tf.Tensor4D, rows: tf.Tensor1D[], ctx: OpContext): tf.Tensor4D[] {
  const states = [p.pre0(s0, ctx), p.pre1(s1, ctx)];
  const relus: (tf.Tensor4D | undefined)[] = [];
  let offset = 0;
  for (let i = 0; i < p.steps; i++) {
    const n = states.length;
    states.push(mixedNode(states, p.edges.slice(offset, offset + n), rows.slice(offset, offset + n), ctx, relus));
    offset += n;
  }
  return states;
}

export function cellOutput(p: CellParts, states: tf.Tensor4D[]): tf.Tensor4D {
  return tf.concat(states.slice(-p.multiplier), 3);
}

/** The cell as one checkpointed node (see above). The first cell gets s0 === s1: passed once. */
export function checkpointedCell(p: CellParts, s0: tf.Tensor4D, s1: tf.Tensor4D, w: tf.Tensor2D, ctx: OpContext): tf.Tensor4D {
  const same = s0 === s1;
  const inputs: tf.Tensor[] = same ? [s0, w] : [s0, s1, w];
  const params = gradParams([...p.pre0Params, ...p.pre1Params, ...p.edges.flatMap((e) => e.params)], ctx);
  const f = tf.customGrad((...args: unknown[]) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    // Nothing inside a custom gradient's forward is taped; the edges' checkpoints ('edges') only
    // make each edge free its intermediates as soon as it is done (else one cell's would be alive).
    const states = cellStates(p, s0, s1, tf.unstack(w) as tf.Tensor1D[], { ...ctx, recompute: 'edges' });
    // The forward's inputs and parameters may be freed before the backward: keep them too.
    const n = args.length - 1;
    save([...(args.slice(0, n) as tf.Tensor[]), ...states]);
    return {
      value: cellOutput(p, states),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [x0, x1, m] = (same ? [saved[0], saved[0], saved[1]] : saved.slice(0, 3)) as [tf.Tensor4D, tf.Tensor4D, tf.Tensor2D];
        const w: Weights = { ...ctx.w };
        params.forEach((name, i) => (w[name] = saved[inputs.length + i]));
        const kept = saved.slice(n) as tf.Tensor4D[];
        return withOuterTape(() => cellBackward(p, dy as tf.Tensor4D, kept, x0, x1, m, params, { ...ctx, w }));
      },
    };
  });
  return f(...inputs, ...params.map((name) => ctx.w[name])) as tf.Tensor4D;
}


function cellBackward(p: CellParts, dy: tf.Tensor4D, states: tf.Tensor4D[], s0: tf.Tensor4D, s1: tf.Tensor4D, w: tf.Tensor2D, params: string[], ctx: OpContext): tf.Tensor[] {
  const bctx: OpContext = { ...ctx, bnUpdates: null, recompute: 'none' };
  const rows = tf.unstack(w) as tf.Tensor1D[];
  const d: (tf.Tensor | null)[] = states.map(() => null);
  tf.split(dy, p.multiplier, 3).forEach((g, k) => (d[states.length - p.multiplier + k] = g));
  const grads: Record<string, tf.Tensor> = {};
  const dRows: tf.Tensor[] = [];
  const firstEdge = (i: number) => (i * (i + 3)) / 2; // node i+2 has i+2 incoming edges
  for (let i = p.steps - 1; i >= 0; i--) {
    const node = i + 2;
    const g = d[node] ?? tf.zerosLike(states[node]);
    for (let j = 0; j < node; j++) {
      const e = firstEdge(i) + j;
      const edge = p.edges[e];
      const names = gradParams(edge.params, ctx);
      const [dh, dRow, ...dParams] = gradsAllowingUnused((h: tf.Tensor, r: tf.Tensor, ...ps: tf.Tensor[]) => {
        const ew: Weights = { ...ctx.w };
        names.forEach((name, k) => (ew[name] = ps[k]));
        return edgeValue(h as tf.Tensor4D, edge, r as tf.Tensor1D, { ...bctx, w: ew });
      })([states[j], rows[e], ...names.map((n) => ctx.w[n])], g);
      d[j] = addInto(d[j], dh);
      dRows[e] = dRow;
      names.forEach((name, k) => (grads[name] = dParams[k]));
    }
    g.dispose();
    d[node] = null;
  }
  const [pre0Names, pre1Names] = [gradParams(p.pre0Params, ctx), gradParams(p.pre1Params, ctx)];
  const [ds0, ...g0] = blockGrads(p.pre0, s0, pre0Names, d[0] ?? tf.zerosLike(states[0]), bctx);
  const [ds1, ...g1] = blockGrads(p.pre1, s1, pre1Names, d[1] ?? tf.zerosLike(states[1]), bctx);
  pre0Names.forEach((name, k) => (grads[name] = g0[k]));
  pre1Names.forEach((name, k) => (grads[name] = g1[k]));
  const dw = tf.stack(dRows);
  const dInputs = s0 === s1 ? [addInto(ds0, ds1), dw] : [ds0, ds1, dw];
  return [...dInputs, ...params.map((name) => grads[name])];
}
