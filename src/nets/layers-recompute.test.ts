import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../backend';
import { Rng } from '../space/rng';
import { dartsSegments, planRecompute, RecomputePlan, trainingForward } from './layers-recompute';
import { trainingGradients } from './layers-recompute-step';
import { buildNetwork, DartsNetwork, disposeNetwork, NetworkConfig, reductionCells } from './network';
import { ALL_OPS, TINY } from './test-utils/fixtures';

/** The retraining loss: cross-entropy of the logits plus 0.4 × that of the auxiliary logits. */
function loss(outs: tf.Tensor[], labels: tf.Tensor): tf.Scalar {
  const ce = (logits: tf.Tensor) => tf.losses.softmaxCrossEntropy(tf.oneHot(labels as tf.Tensor1D, TINY.numClasses), logits) as tf.Scalar;
  return tf.add(ce(outs[0]), tf.mul(ce(outs[1]), 0.4)) as tf.Scalar;
}

interface StepValues {
  loss: number;
  grads: Record<string, Float32Array>;
  /** BatchNorm moving statistics after the step. */
  stats: Record<string, Float32Array>;
}

/**
 * One forward + backward from the same weights, statistics and drop-path stream; state restored
 * after. `tape`: through tf.variableGrads over the (checkpointed) forward; otherwise with the
 * unit-by-unit backward of layers-recompute-step.ts (what the trainer uses).
 */
function step(net: DartsNetwork, plan: RecomputePlan | null, x: tf.Tensor, y: tf.Tensor, tape = false): StepValues {
  const statVars = net.model.weights.filter((w) => !w.trainable);
  const saved = statVars.map((w) => w.read().clone());
  net.dropPath.reseed(7);
  const { value, grads } = tape
    ? tf.variableGrads(() => loss(trainingForward(net.model, plan, x), y))
    : trainingGradients(net.model, plan, x, (outs) => loss(outs, y));
  const out: StepValues = {
    loss: value.dataSync()[0],
    grads: Object.fromEntries(Object.entries(grads).map(([k, g]) => [k, g.dataSync() as Float32Array])),
    stats: Object.fromEntries(statVars.map((w) => [w.originalName, w.read().dataSync() as Float32Array])),
  };
  tf.dispose([value, ...Object.values(grads)]);
  statVars.forEach((w, i) => w.write(saved[i]));
  tf.dispose(saved);
  return out;
}

/** max |a − b| relative to max |a| (with a floor so all-zero arrays compare absolutely). */
function relDiff(a: Float32Array, b: Float32Array): number {
  let diff = 0;
  let scale = 1e-12;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(a[i]));
  }
  return diff / Math.max(scale, 1e-6);
}

function randomBatch(n: number, seed: number, cfg: NetworkConfig): { x: tf.Tensor4D; y: tf.Tensor1D } {
  const rng = new Rng(seed);
  const [h, w, c] = cfg.inputShape;
  const x = tf.tensor4d(Float32Array.from({ length: n * h * w * c }, () => rng.normal()), [n, h, w, c]);
  const y = tf.tensor1d(Array.from({ length: n }, () => rng.int(TINY.numClasses)), 'int32');
  return { x, y };
}

// The reference backend (cpu) gets a 3-cell network on 8×8 images: the same ops at a tenth of the time.
const SMALL: NetworkConfig = { ...TINY, layers: 3, inputShape: [8, 8, 3] };
const CASES: [string, 'cells' | 'whole-cells', NetworkConfig][] = [
  ['wasm', 'cells', TINY],
  ['wasm', 'whole-cells', TINY],
  ['cpu', 'cells', SMALL],
];

describe.each(CASES)('gradient checkpointing of the discrete network on %s, --recompute %s', (backend, mode, cfg) => {
  let net: DartsNetwork;
  let plan: RecomputePlan;
  let batch: { x: tf.Tensor4D; y: tf.Tensor1D };

  beforeAll(async () => {
    await useBackend(backend);
    net = buildNetwork(ALL_OPS, cfg);
    plan = planRecompute(net.model, dartsSegments(mode));
    batch = randomBatch(6, 11, cfg);
  });

  afterAll(() => {
    tf.dispose([batch.x, batch.y]);
    disposeNetwork(net);
  });

  test('one checkpointed segment per cell, fed by the two previous cells (the stem for cell 0); edges nested with cells', () => {
    const cells = Array.from({ length: cfg.layers }, (_, i) => `cell${i}`);
    expect(plan.segments.map((s) => s.name).sort()).toEqual(cells);
    const byName = Object.fromEntries(plan.segments.map((s) => [s.name, s]));
    expect(cells.map((c) => byName[c].inputs.length)).toEqual(cells.map((_, i) => (i === 0 ? 1 : 2)));
    for (const s of plan.segments) {
      expect(s.output.sourceLayer.name).toBe(`${s.name}_concat`);
      const edges = s.steps.flatMap((st) => (st.kind === 'segment' ? [st.segment.name] : []));
      // ALL_OPS cells have 8 edges; a stride-1 skip_connect has no layers, so no segment: two in the
      // normal cell, one in the reduction cell (whose skip from input 0 is a FactorizedReduce).
      const reduction = reductionCells(cfg.layers).includes(Number(s.name.slice(4)));
      const expected = mode === 'cells' ? (reduction ? 7 : 6) : 0;
      expect([s.name, edges.length]).toEqual([s.name, expected]);
    }
  });

  // On cpu (slow) only the trainer's path; the customGrad path and the leak check run on wasm.
  test.each(backend === 'cpu' ? [false] : [false, true])('loss, every gradient and the BatchNorm statistics equal the plain forward with drop-path and the auxiliary head (tf.variableGrads: %s)', (tape) => {
    net.dropPath.rate = 0.3;
    const plain = step(net, null, batch.x, batch.y);
    const ckpt = step(net, plan, batch.x, batch.y, tape);
    expect(Math.abs(ckpt.loss - plain.loss)).toBeLessThanOrEqual(1e-5 * Math.abs(plain.loss));
    const names = Object.keys(plain.grads);
    expect(names.length).toBe(net.model.trainableWeights.length);
    expect(Object.keys(ckpt.grads).sort()).toEqual(names.sort());
    const off = names.map((k) => [k, relDiff(plain.grads[k], ckpt.grads[k])] as const).filter(([, d]) => !(d <= 1e-5));
    expect(off).toEqual([]);
    // Statistics moved once (a second update in the recompute would move them further).
    for (const k of Object.keys(plain.stats)) expect(relDiff(plain.stats[k], ckpt.stats[k])).toBeLessThanOrEqual(1e-6);
    // Drop-path did drop paths: the same step without it gives another loss.
    net.dropPath.rate = 0;
    const noDrop = step(net, plan, batch.x, batch.y, tape);
    expect(Math.abs(noDrop.loss - plain.loss)).toBeGreaterThan(1e-4);
  });

  (backend === 'cpu' ? test.skip : test)('a checkpointed step leaves no tensors behind', () => {
    net.dropPath.rate = 0.2;
    step(net, plan, batch.x, batch.y); // warm-up: kernels, lazily created state
    const before = tf.memory().numTensors;
    step(net, plan, batch.x, batch.y);
    step(net, plan, batch.x, batch.y, true);
    expect(tf.memory().numTensors).toBe(before);
  });
});
