import * as tf from '@tensorflow/tfjs';
import { enterRecompute, RecomputePlan, stepUnits, trainingForward, Unit } from './layers-recompute';

/**
 * Loss and gradients of a training step with gradient checkpointing, walking the backward pass
 * unit by unit instead of through one tfjs tape.
 *
 * Why not just `tf.variableGrads` over the checkpointed forward (`recomputedForward`): tfjs's
 * backward keeps the gradient of every taped tensor until the whole backward ends, so even with
 * cells as single tape nodes the gradients of every cell output, and inside a cell's recompute
 * those of every node, pile up; at the paper's size (20 cells, C=36, batch 96) that does not fit
 * the wasm heap. Here the forward runs without a tape and keeps only the output of each top-level
 * unit (a cell, or one layer outside the cells). The backward visits the units in reverse; a unit
 * made of segments (a cell of edges) is recomputed without a tape, keeping its own units' outputs,
 * and walked back the same way; a leaf (an edge, a single layer) is recomputed under a short tape
 * seeded with the gradient of its output. Each output's gradient and value are freed as soon as
 * its unit is done, so memory is: the cells' outputs, one cell's node values, one edge's tape.
 * BatchNorm statistics move only in the first forward and drop-path masks are replayed
 * (`enterRecompute`).
 */
export interface StepGradients {
  value: tf.Scalar;
  /** Gradient per trainable variable name, as tf.variableGrads returns them. */
  grads: tf.NamedTensorMap;
}

const KWARGS = { training: true };

type Values = Map<number, tf.Tensor>;

/** Adds `g` into `map[key]` (consuming `g`). */
function accumulate(map: Values, key: number, g: tf.Tensor): void {
  const old = map.get(key);
  if (!old) {
    map.set(key, g);
    return;
  }
  map.set(key, tf.add(old, g));
  tf.dispose([old, g]);
}

/** Runs `units` forward without a tape, adding each output to `values`. */
function forwardUnits(units: Unit[], values: Values): void {
  for (const u of units) values.set(u.output.id, tf.tidy(() => u.run(u.inputs.map((s) => values.get(s.id)!), KWARGS)));
}

/** Walks `units` back (their outputs in `values`, some with gradients in `grads`), freeing as it goes. */
function backwardUnits(units: Unit[], values: Values, grads: Values, varGrads: Values): void {
  for (let k = units.length - 1; k >= 0; k--) {
    const u = units[k];
    const dy = grads.get(u.output.id);
    grads.delete(u.output.id);
    if (dy) unitBackward(u, values, dy, grads, varGrads);
    // Every consumer of this output comes later in the forward, so it is done with (unless the
    // unit passed an input through unchanged: that tensor is still someone else's value).
    const t = values.get(u.output.id)!;
    values.delete(u.output.id);
    if (![...values.values()].includes(t)) t.dispose();
  }
}

/** Backward through one unit, seeded with `dy` (consumed): adds its inputs' and variables' gradients. */
function unitBackward(u: Unit, values: Values, dy: tf.Tensor, grads: Values, varGrads: Values): void {
  const leave = enterRecompute(u.layers);
  try {
    if (u.children) {
      const local: Values = new Map(u.inputs.map((s) => [s.id, values.get(s.id)!]));
      const localGrads: Values = new Map([[u.output.id, dy]]);
      try {
        forwardUnits(u.children, local);
        backwardUnits(u.children, local, localGrads, varGrads);
      } finally {
        for (const [id, t] of local) if (!u.inputs.some((s) => s.id === id)) t.dispose();
      }
      for (const [id, g] of localGrads) accumulate(grads, id, g); // the segment's inputs
      return;
    }
    const xs = u.inputs.map((s) => values.get(s.id)!);
    const r = tf.engine().gradients(() => u.run(xs, KWARGS), [...xs, ...u.vars], dy, true);
    r.value.dispose();
    r.grads.forEach((g, i) => {
      if (!g) return;
      if (i < xs.length) accumulate(grads, u.inputs[i].id, g);
      else accumulate(varGrads, u.vars[i - xs.length].id, g);
    });
  } finally {
    leave();
    dy.dispose();
  }
}

/**
 * The loss `loss(outputs)` of the model's training forward on `inputs` and its gradients with
 * respect to every trainable variable, equal to `tf.variableGrads` of the plain forward. `loss` may
 * tf.keep() other results it computes from the outputs.
 */
export function checkpointedGradients(plan: RecomputePlan, inputs: tf.Tensor[], loss: (outputs: tf.Tensor[]) => tf.Scalar): StepGradients {
  const units = stepUnits(plan.steps);
  const values: Values = new Map(plan.model.inputs.map((s, i) => [s.id, inputs[i]]));
  const grads: Values = new Map();
  const varGrads: Values = new Map();
  try {
    forwardUnits(units, values);
    const outs = plan.model.outputs.map((s) => values.get(s.id)!);
    const head = tf.engine().gradients(() => loss(outs), outs, undefined, true);
    head.grads.forEach((g, i) => g && accumulate(grads, plan.model.outputs[i].id, g));
    backwardUnits(units, values, grads, varGrads);
    const named: tf.NamedTensorMap = {};
    for (const u of units) for (const v of u.vars) if (varGrads.has(v.id)) named[v.name] = varGrads.get(v.id)!;
    return { value: head.value as tf.Scalar, grads: named };
  } catch (e) {
    tf.dispose([...varGrads.values()]);
    throw e;
  } finally {
    const keep = new Set(inputs);
    for (const t of values.values()) if (!keep.has(t)) t.dispose();
    tf.dispose([...grads.values()]); // gradients of the model's inputs
  }
}

/** Loss and gradients of one training step, checkpointed with `plan` or through tf.variableGrads without. */
export function trainingGradients(model: tf.LayersModel, plan: RecomputePlan | null, x: tf.Tensor, loss: (outputs: tf.Tensor[]) => tf.Scalar): StepGradients {
  if (plan) return checkpointedGradients(plan, [x], loss);
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  return tf.variableGrads(() => loss(trainingForward(model, null, x)), vars);
}
