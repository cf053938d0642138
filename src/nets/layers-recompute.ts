import * as tf from '@tensorflow/tfjs';

/**
 * Gradient checkpointing (Chen et al. 2016, "Training deep nets with sublinear memory cost") for a
 * functional tf.LayersModel, used to retrain the discrete DARTS network at the paper's batch sizes.
 *
 * Why: tfjs keeps every tensor an op saves for its gradient, and every intermediate gradient, until
 * the backward pass ends; for the 20-cell network at batch 96 that is far beyond the wasm backend's
 * 4 GiB heap. Here the training forward walks the model's graph itself, grouped into (nested)
 * segments: cells, and edges inside cells. The trainer's step (layers-recompute-step.ts) keeps
 * only the segments' outputs and recomputes each segment in the backward; `recomputedForward`
 * instead makes each segment one `tf.customGrad` node (usable under any tf.grads/variableGrads).
 *
 * How it differs from `checkpointed()` in supernet-edge.ts: there, ops read their parameters from
 * a context object, so the recompute can substitute them. Layers read their own variables
 * (`this.kernel.read()`), so here the recompute differentiates with respect to those same variable
 * tensors (in the customGrad form they are also extra inputs of the node, which routes their
 * gradients out of it). Layers also carry state that a second forward would disturb:
 * - BatchNormalization updates its moving mean and variance in every training call; during a
 *   recompute every non-trainable weight of the segment is write-protected, so the statistics
 *   move once per step as without checkpointing;
 * - drop-path draws a random mask per call; layers that implement `RecomputeAware` (DropPath) are
 *   told to replay the mask of the forward.
 * Loss, gradients and statistics equal those of `model.apply(x, {training: true})` under
 * tf.variableGrads (layers-recompute.test.ts). The saved inference model is not involved.
 */
export const RECOMPUTE_MODES = ['cells', 'whole-cells', 'none'] as const;
export type RecomputeMode = (typeof RECOMPUTE_MODES)[number];

/** A layer whose call has state that a recomputation must reproduce (e.g. a random mask). */
export interface RecomputeAware {
  /** From now on, replay what the last forward call drew, until the matching endRecompute (calls nest). */
  beginRecompute(): void;
  endRecompute(): void;
}

function isRecomputeAware(layer: unknown): layer is RecomputeAware {
  return typeof (layer as RecomputeAware).beginRecompute === 'function' && typeof (layer as RecomputeAware).endRecompute === 'function';
}

type S = tf.SymbolicTensor;
type Kwargs = Record<string, unknown>;

/** Layers run as one checkpointed block: their tensors, the block's inputs and single output. */
interface Segment {
  name: string;
  tensors: S[];
  inputs: S[];
  output: S;
  layers: tf.layers.Layer[];
  /** How the segment computes its output: tensors and nested segments, each after its inputs. */
  steps: Step[];
}

type Step = { kind: 'tensor'; tensor: S } | { kind: 'segment'; segment: Segment };

/** The execution order of a model's training forward, with the checkpointed segments. */
export interface RecomputePlan {
  model: tf.LayersModel;
  steps: Step[];
  /** The outermost segments. */
  segments: Segment[];
}

/** Names the nested segments a layer belongs to, outermost first ([]: not checkpointed). */
export type SegmentPath = (layerName: string) => string[];

const isInput = (t: S): boolean => t.inputs.length === 0 && t.sourceLayer.getClassName() === 'InputLayer';

/** Every symbolic tensor the outputs depend on, inputs first (depth-first post-order). */
function topoOrder(outputs: S[]): S[] {
  const seen = new Set<number>();
  const order: S[] = [];
  const visit = (root: S) => {
    // Iterative: a 20-cell network has thousands of tensors, too deep for recursion on some stacks.
    const stack: [S, boolean][] = [[root, false]];
    while (stack.length) {
      const [t, done] = stack.pop()!;
      if (done) {
        order.push(t);
        continue;
      }
      if (seen.has(t.id)) continue;
      seen.add(t.id);
      stack.push([t, true]);
      for (let i = t.inputs.length - 1; i >= 0; i--) if (!seen.has(t.inputs[i].id)) stack.push([t.inputs[i], false]);
    }
  };
  outputs.forEach(visit);
  return order;
}

interface Graph {
  consumers: Map<number, S[]>;
  modelOutputs: Set<number>;
  path: SegmentPath;
}

function makeSegment(name: string, members: S[], depth: number, g: Graph): Segment {
  const ids = new Set(members.map((t) => t.id));
  const inputs: S[] = [];
  for (const t of members) for (const x of t.inputs) if (!ids.has(x.id) && !inputs.includes(x)) inputs.push(x);
  const outs = members.filter((t) => g.modelOutputs.has(t.id) || (g.consumers.get(t.id) ?? []).some((c) => !ids.has(c.id)));
  if (outs.length !== 1) throw new Error(`recompute: segment ${name} must have exactly one output used outside it, found ${outs.length}`);
  const layers = [...new Set(members.map((t) => t.sourceLayer))];
  return { name, tensors: members, inputs, output: outs[0], layers, steps: orderSteps(members, depth + 1, g) };
}

/**
 * Groups `members` (in topological order) into the segments of level `depth` and orders the units
 * (single tensors and whole segments) so that every unit follows its inputs.
 */
function orderSteps(members: S[], depth: number, g: Graph): Step[] {
  const groups = new Map<string, S[]>();
  for (const t of members) {
    const name = isInput(t) ? undefined : g.path(t.sourceLayer.name)[depth];
    if (name !== undefined) groups.set(name, [...(groups.get(name) ?? []), t]);
  }
  const segmentOf = new Map<number, Segment>();
  for (const [name, ts] of groups) {
    const seg = makeSegment(name, ts, depth, g);
    ts.forEach((t) => segmentOf.set(t.id, seg));
  }
  const inside = new Set(members.map((t) => t.id));
  const steps: Step[] = [];
  const done = new Set<number | Segment>();
  const place = (t: S): void => {
    if (!inside.has(t.id)) return; // an input of the enclosing segment
    const seg = segmentOf.get(t.id);
    if (done.has(seg ?? t.id)) return;
    done.add(seg ?? t.id);
    (seg ? seg.inputs : t.inputs).forEach(place);
    steps.push(seg ? { kind: 'segment', segment: seg } : { kind: 'tensor', tensor: t });
  };
  members.forEach(place); // `members` is topological, so the recursion only goes one segment deep
  return steps;
}

/**
 * Groups the layers of `model` into (nested) segments by `path(layerName)` and orders the forward
 * so that each segment runs as one block once its inputs exist.
 */
export function planRecompute(model: tf.LayersModel, path: SegmentPath): RecomputePlan {
  const order = topoOrder(model.outputs);
  const consumers = new Map<number, S[]>();
  for (const t of order) for (const x of t.inputs) consumers.set(x.id, [...(consumers.get(x.id) ?? []), t]);
  const steps = orderSteps(order, 0, { consumers, modelOutputs: new Set(model.outputs.map((t) => t.id)), path });
  const segments = steps.flatMap((s) => (s.kind === 'segment' ? [s.segment] : []));
  return { model, steps, segments };
}

/**
 * The DARTS network's segments (layer names from network.ts: `cell<i>_…`, edges `cell<i>_n<k>_e<j>_…`):
 * - `cells`: every cell, and inside it every edge, so a cell's backward holds one edge's
 *   intermediates at a time (each edge op then runs three times per step);
 * - `whole-cells`: whole cells only (one cell's intermediates at a time; two forwards);
 * - `none`: nothing checkpointed.
 */
export function dartsSegments(mode: RecomputeMode): SegmentPath {
  return (name) => {
    const m = /^(cell\d+)_(?:(n\d+_e\d+)_)?/.exec(name);
    if (!m || mode === 'none') return [];
    return mode === 'cells' && m[2] ? [m[1], `${m[1]}_${m[2]}`] : [m[1]];
  };
}

/** Concrete values of a forward: by symbolic tensor, and each layer call's outputs (computed once). */
interface Values {
  byId: Map<number, tf.Tensor>;
  byCall: Map<string, tf.Tensor[]>;
}

const newValues = (): Values => ({ byId: new Map(), byCall: new Map() });

/** Computes `t` from values already known; a layer with several outputs is called once. */
function computeTensor(t: S, values: Values, kwargs: Kwargs): void {
  if (values.byId.has(t.id)) return;
  const call = `${t.sourceLayer.name}#${t.nodeIndex}`;
  let outs = values.byCall.get(call);
  if (!outs) {
    const xs = t.inputs.map((x) => {
      const v = values.byId.get(x.id);
      if (!v) throw new Error(`recompute: input ${x.name} of ${t.name} is not computed yet`);
      return v;
    });
    const out = t.sourceLayer.apply(xs.length === 1 ? xs[0] : xs, kwargs) as tf.Tensor | tf.Tensor[];
    outs = Array.isArray(out) ? out : [out];
    values.byCall.set(call, outs);
  }
  values.byId.set(t.id, outs[t.tensorIndex ?? 0]);
}

/** Runs `steps` in order, each segment as one checkpointed node. */
function runSteps(steps: Step[], values: Values, kwargs: Kwargs): void {
  for (const step of steps) {
    if (step.kind === 'tensor') {
      if (!isInput(step.tensor)) computeTensor(step.tensor, values, kwargs);
      continue;
    }
    const seg = step.segment;
    const inputs = seg.inputs.map((s) => values.byId.get(s.id)!);
    values.byId.set(seg.output.id, checkpointedSegment(seg, inputs, kwargs));
  }
}

function runSegment(seg: Segment, inputs: tf.Tensor[], kwargs: Kwargs): tf.Tensor {
  const values = newValues();
  seg.inputs.forEach((s, i) => values.byId.set(s.id, inputs[i]));
  runSteps(seg.steps, values, kwargs);
  return values.byId.get(seg.output.id)!;
}

/** How many enclosing recomputes currently write-protect a variable (segments nest). */
const frozenDepth = new WeakMap<tf.LayerVariable, number>();

/**
 * Write-protects the layers' non-trainable weights (BN statistics) and makes them replay their
 * random masks, for a recomputation; returns the function that ends it.
 */
export function enterRecompute(layers: tf.layers.Layer[]): () => void {
  const frozen = layers.flatMap((l) => l.nonTrainableWeights);
  for (const v of frozen) {
    const d = frozenDepth.get(v) ?? 0;
    frozenDepth.set(v, d + 1);
    if (d === 0) Object.defineProperty(v, 'write', { value: () => v, configurable: true, writable: true });
  }
  const aware: RecomputeAware[] = layers.flatMap((l) => (isRecomputeAware(l) ? [l] : []));
  aware.forEach((l) => l.beginRecompute());
  return () => {
    for (const v of frozen) {
      const d = frozenDepth.get(v)! - 1;
      frozenDepth.set(v, d);
      if (d === 0) delete (v as unknown as { write?: unknown }).write; // back to the prototype's write
    }
    aware.forEach((l) => l.endRecompute());
  };
}

/** The engine's tape slot, which a gradient computed inside a backward pass would clear. */
interface EngineState {
  activeTape: unknown;
}

function checkpointedSegment(seg: Segment, inputs: tf.Tensor[], kwargs: Kwargs): tf.Tensor {
  const vars = trainableVars(seg.layers);
  const n = inputs.length;
  const f = tf.customGrad((...args: unknown[]) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    save(args.slice(0, n) as tf.Tensor[]);
    return {
      value: runSegment(seg, args.slice(0, n) as tf.Tensor[], kwargs),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const state = (tf.engine() as unknown as { state: EngineState }).state;
        const outerTape = state.activeTape;
        const leave = enterRecompute(seg.layers);
        try {
          const xs = [...saved, ...vars];
          // dy seeds the recomputed block's backward directly; variables are differentiated in place.
          const { value, grads } = tf.engine().gradients(() => runSegment(seg, saved, kwargs), xs, dy, true);
          value.dispose();
          return grads.map((g, i) => g ?? tf.zerosLike(xs[i]));
        } finally {
          leave();
          state.activeTape = outerTape; // gradients() ends by clearing the tape the outer backward walks
        }
      },
    };
  });
  return f(...inputs, ...vars);
}

/** One step of a plan as a function of its inputs (for the unit-by-unit backward of layers-recompute-step.ts). */
export interface Unit {
  inputs: S[];
  output: S;
  layers: tf.layers.Layer[];
  /** The trainable variables the unit reads. */
  vars: tf.Variable[];
  run(inputs: tf.Tensor[], kwargs: Kwargs): tf.Tensor;
  /** A segment that contains segments: its own steps as units (null: a leaf, differentiated whole). */
  children: Unit[] | null;
}

const trainableVars = (layers: tf.layers.Layer[]): tf.Variable[] => [...new Set(layers.flatMap((l) => l.trainableWeights.map((w) => w.read() as tf.Variable)))];

/** `steps` as units in forward order, without the model's input layers. */
export function stepUnits(steps: Step[]): Unit[] {
  return steps.flatMap((step): Unit[] => {
    if (step.kind === 'segment') {
      const seg = step.segment;
      const children = seg.steps.some((st) => st.kind === 'segment') ? stepUnits(seg.steps) : null;
      return [{ inputs: seg.inputs, output: seg.output, layers: seg.layers, vars: trainableVars(seg.layers), run: (xs, kw) => runSegment(seg, xs, kw), children }];
    }
    const t = step.tensor;
    if (isInput(t)) return [];
    const run = (xs: tf.Tensor[], kw: Kwargs) => {
      const values = newValues();
      t.inputs.forEach((s, i) => values.byId.set(s.id, xs[i]));
      computeTensor(t, values, kw);
      return values.byId.get(t.id)!;
    };
    return [{ inputs: t.inputs, output: t, layers: [t.sourceLayer], vars: trainableVars([t.sourceLayer]), run, children: null }];
  });
}

/**
 * The model's training forward (`model.apply(x, {training: true})`), with each segment of `plan`
 * checkpointed. Returns the model's outputs in order.
 */
export function recomputedForward(plan: RecomputePlan, inputs: tf.Tensor[], kwargs: Kwargs = { training: true }): tf.Tensor[] {
  return tf.tidy(() => {
    const values = newValues();
    plan.model.inputs.forEach((s, i) => values.byId.set(s.id, inputs[i]));
    runSteps(plan.steps, values, kwargs);
    return plan.model.outputs.map((s) => values.byId.get(s.id)!);
  });
}

/** The training forward of a single-input model: checkpointed with `plan`, plain model.apply without. */
export function trainingForward(model: tf.LayersModel, plan: RecomputePlan | null, x: tf.Tensor): tf.Tensor[] {
  if (plan) return recomputedForward(plan, [x]);
  const out = model.apply(x, { training: true }) as tf.Tensor | tf.Tensor[];
  return Array.isArray(out) ? out : [out];
}
