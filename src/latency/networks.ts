/**
 * What latency is measured on: one candidate op at one position, and the whole inference network of
 * a genotype, each as a `Runnable` (input → output, in inference mode: BatchNorm with running
 * statistics). DARTS: the exported model (the standard-layers graph `tfnas export`/retraining
 * save, nets/network-export.ts), so what is timed is what an app loads; an op is the same layers on their
 * own. NAS-Bench-201 (no exported network yet): the candidate ops and skeleton of src/ops and
 * nets/supernet-nb201.ts with only the genotype's op on each edge. This module is the one place
 * that builds them, so a change of network stack is a change here.
 */
import * as tf from '@tensorflow/tfjs';
import type { DartsGenotype, Nb201Genotype } from '../space/genotype-types';
import { buildInferenceGraph } from '../nets/network-export';
import { edgeOp, type BuildContext } from '../nets/network-ops';
import { resnetReduction } from '../nets/supernet-nb201';
import { classifierHead } from '../nets/supernet';
import { NB201_OPS } from '../ops/nb201-ops';
import { bn, conv } from '../ops/layers';
import { Apply, OpContext, ParamBuilder, relu, sequence } from '../ops/context';
import type { Nb201Op } from '../space/primitives';
import { Rng } from '../space/rng';
import type { LatencyNetwork, Position } from './positions';

export interface Runnable {
  /** Input shape without the batch dimension. */
  inputShape: [number, number, number];
  run(x: tf.Tensor4D): tf.Tensor;
  dispose(): void;
}

const inferenceCtx = (): BuildContext => ({ merges: {} });

function layersRunnable(model: tf.LayersModel, inputShape: [number, number, number]): Runnable {
  return { inputShape, run: (x) => model.predict(x) as tf.Tensor, dispose: () => model.dispose() };
}

function functionalRunnable(b: ParamBuilder, f: Apply, inputShape: [number, number, number]): Runnable {
  const ctx: OpContext = { training: false, w: b.params, buffers: b.buffers, bnUpdates: null };
  return { inputShape, run: (x) => f(x, ctx), dispose: () => tf.dispose([...Object.values(b.params), ...Object.values(b.buffers)]) };
}

/** Whether the op at this position is the identity (no computation: latency 0 without timing). */
export function isIdentity(space: LatencyNetwork['space'], op: string, p: Position): boolean {
  return op === 'skip_connect' && p.stride === 1 && (space === 'darts' || space === 'nb201');
}

/** One candidate op at one position, as it is built inside the network. */
export function opRunnable(space: LatencyNetwork['space'], op: string, p: Position): Runnable {
  const shape: [number, number, number] = [p.size, p.size, p.channels];
  if (space === 'darts') {
    const input = tf.input({ shape });
    const { y } = edgeOp(inferenceCtx(), 'op', op, input, p.stride);
    return layersRunnable(tf.model({ inputs: input, outputs: y }), shape);
  }
  const b = new ParamBuilder(new Rng(0));
  const f = NB201_OPS[op as Nb201Op](b, 'op', p.channels, p.channels, p.stride, true).apply;
  return functionalRunnable(b, f, shape);
}

/**
 * A timed call that computes (almost) nothing: one elementwise kernel (ReLU) writing a fresh output
 * of the input's shape, and its read-back (subtracted from every op). A fresh output, not the input
 * itself: the GPU backends keep a tensor's values on the CPU once read, so reading the input again
 * would skip the GPU→CPU transfer every op's output pays.
 */
export function baselineRunnable(space: LatencyNetwork['space'], p: Position): Runnable {
  const shape: [number, number, number] = [p.size, p.size, p.channels];
  if (space === 'darts') {
    const input = tf.input({ shape });
    const y = tf.layers.activation({ activation: 'relu' }).apply(input) as tf.SymbolicTensor;
    return layersRunnable(tf.model({ inputs: input, outputs: y }), shape);
  }
  return functionalRunnable(new ParamBuilder(new Rng(0)), (x) => tf.relu(x), shape);
}

/** The whole inference network of a genotype (batch of `n.batch` images of `n.size`², 3 channels). */
export function networkRunnable(n: LatencyNetwork, g: DartsGenotype | Nb201Genotype): Runnable {
  const shape: [number, number, number] = [n.size, n.size, 3];
  if (n.space === 'darts') {
    const cfg = { C: n.channels, layers: n.layers, numClasses: n.numClasses, auxiliary: false, dropPath: false, inputShape: shape };
    return layersRunnable(buildInferenceGraph(g as DartsGenotype, cfg).model, shape);
  }
  const b = new ParamBuilder(new Rng(0));
  return functionalRunnable(b, nb201Network(b, n, g as Nb201Genotype), shape);
}

/** The NAS-Bench-201 network with one op per edge (`none` edges dropped; a node with no input is zero). */
function nb201Network(b: ParamBuilder, n: LatencyNetwork, g: Nb201Genotype): Apply {
  const stem = sequence(conv(b, 'stem.conv', 3, 3, n.channels, 1, 1), bn(b, 'stem.bn', n.channels, true));
  const blocks: Apply[] = [];
  let cPrev = n.channels;
  [1, 2, 4].forEach((mult, stage) => {
    const C = n.channels * mult;
    if (stage > 0) blocks.push(resnetReduction(b, `cells.${blocks.length}`, cPrev, C));
    cPrev = C;
    for (let i = 0; i < n.layers; i++) blocks.push(nb201Cell(b, `cells.${blocks.length}`, C, g));
  });
  const last = sequence(bn(b, 'lastact.bn', cPrev, true), relu);
  const head = classifierHead(b, cPrev, n.numClasses);
  return (x, ctx) => head(last(blocks.reduce((h, f) => f(h, ctx), stem(x, ctx)), ctx), ctx) as unknown as tf.Tensor4D;
}

function nb201Cell(b: ParamBuilder, name: string, C: number, g: Nb201Genotype): Apply {
  const ops = g.ops.map((op, e) => (op === 'none' ? null : NB201_OPS[op as Nb201Op](b, `${name}.edge${e}`, C, C, 1, true).apply));
  return (x, ctx) => {
    const nodes = [x];
    let e = 0;
    for (let i = 1; i < 4; i++) {
      const terms: tf.Tensor4D[] = [];
      for (let j = 0; j < i; j++, e++) if (ops[e]) terms.push(ops[e]!(nodes[j], ctx));
      nodes.push(terms.length === 0 ? tf.zerosLike(x) : terms.length === 1 ? terms[0] : tf.addN(terms));
    }
    return nodes[3];
  };
}
