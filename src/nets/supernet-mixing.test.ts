import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../backend';
import { OpContext, ParamBuilder, Weights } from '../ops/context';
import { lossAndGrads } from '../search/darts/architect';
import { Rng } from '../space/rng';
import { crossEntropy } from '../train/metrics';
import { SPACE_NAMES, SUPERNETS } from './supernet-registry';
import type { Supernet } from './supernet';
import { buildEdge, edgeValue } from './supernet-edge';
import { MixingConfig, PLAIN_MIXING, betaName, channelShuffle, mixRows, nodeSegments, nodeSoftmaxArray } from './supernet-mixing';

beforeAll(async () => {
  await useBackend('cpu');
});

const ctxOf = (net: Supernet, recompute: 'none' | 'cells' = 'none'): OpContext => ({ training: true, w: net.weights, buffers: net.buffers, bnUpdates: null, recompute });
const PC: MixingConfig = { partialChannels: 4, edgeNorm: true, auxSkip: false };

describe('PC-DARTS supernet', () => {
  // yuhuixu1993/PC-DARTS model_search.Network (K=4), counted as its train_search.py logs it
  // (utils.count_parameters_in_MB: every named parameter but "auxiliary"; α and β are not parameters):
  // see /work/shared/notes/references.md.
  it.each([[16, 8, 299_578], [8, 5, 66_586]])('C=%i, %i cells: %i parameters', (C, layers, params) => {
    const before = tf.memory().numTensors;
    const net = SUPERNETS.darts({ C, layers, numClasses: 10, inChannels: 3, seed: 0, mixing: PC });
    expect(net.paramCount()).toBe(params);
    expect(net.alphas[betaName('normal')].shape).toEqual([14, 1]);
    net.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  // K = 1 runs the partial-channel path (split, bypass column, shuffle) with every channel: it must
  // equal DARTS with edge normalisation alone, in value and in the gradients of α, β and weights.
  it.each(SPACE_NAMES)('%s: K=1 equals DARTS with edge normalisation (value and gradients)', (space) => {
    const cfg = { C: 4, layers: space === 'darts' ? 3 : 1, numClasses: 3, inChannels: 3, seed: 5 };
    const a = SUPERNETS[space]({ ...cfg, mixing: { partialChannels: 1, edgeNorm: true, auxSkip: false } });
    const b = SUPERNETS[space]({ ...cfg, mixing: { partialChannels: null, edgeNorm: true, auxSkip: false } });
    const x = tf.randomNormal([2, 8, 8, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
    const y = tf.tensor1d([0, 2], 'int32');
    const before = tf.memory().numTensors;
    const grads = (net: Supernet) => {
      const all: Weights = { ...net.alphas, ...net.weights };
      return tf.tidy(() => {
        const { value, grads } = lossAndGrads(() => crossEntropy(net.forward(x, ctxOf(net, 'cells'), net.alphas), y, 3), all);
        return [value, ...Object.keys(all).sort().map((k) => grads[k])];
      });
    };
    const [ga, gb] = [grads(a), grads(b)];
    expect(ga.length).toBe(gb.length);
    ga.forEach((t, i) => expect(Array.from(t.dataSync())).toEqual(Array.from(gb[i].dataSync()).map((v) => expect.closeTo(v, 5))));
    tf.dispose([...ga, ...gb]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, y]);
    a.dispose();
    b.dispose();
  });

  it('edge normalisation: softmax of β over each node\'s incoming edges scales the edge\'s weights', () => {
    const labels = ['2<-0', '2<-1', '3<-0', '3<-1', '3<-2'];
    expect(nodeSegments(labels)).toEqual([[0, 1], [2, 3, 4]]);
    const beta = [0, Math.log(3), 0, 0, Math.log(2)];
    expect(nodeSoftmaxArray(beta, labels).map((v) => Number(v.toFixed(6)))).toEqual([0.25, 0.75, 0.25, 0.25, 0.5]);
    const alpha = tf.tensor2d([[0, 0], [0, 0], [0, 0], [0, 0], [0, 0]]);
    const w = mixRows({ cell: alpha, [betaName('cell')]: tf.tensor2d(beta, [5, 1]) }, 'cell', labels, { partialChannels: 2, edgeNorm: true, auxSkip: false }, { auxScale: 0, sampler: null }, true).w;
    // op weights softmax(α)·softmax(β)_edge, then the bypass column softmax(β)_edge.
    expect(Array.from(w.dataSync()).map((v) => Number(v.toFixed(6)))).toEqual([0.125, 0.125, 0.25, 0.375, 0.375, 0.75, 0.125, 0.125, 0.25, 0.125, 0.125, 0.25, 0.25, 0.25, 0.5]);
  });

  it('channel shuffle interleaves the K groups (PC-DARTS channel_shuffle)', () => {
    const x = tf.tensor4d([0, 1, 2, 3, 4, 5, 6, 7], [1, 1, 1, 8]);
    expect(Array.from(channelShuffle(x, 4).dataSync())).toEqual([0, 2, 4, 6, 1, 3, 5, 7]);
  });

  it('a stride-2 edge passes the other channels through a 2×2 max-pool, scaled by the edge weight', () => {
    const b = new ParamBuilder(new Rng(0));
    const edge = buildEdge(b, () => [{ apply: (h: tf.Tensor4D) => tf.avgPool(h, 2, 2, 'valid') }], () => ({ partial: { k: 2, stride: 2 } }));
    const h = tf.tensor4d(Array.from({ length: 16 }, (_, i) => i), [1, 2, 2, 4]);
    const out = edgeValue(h, edge, tf.tensor1d([0.5, 2]), { training: true, w: {}, buffers: {}, bnUpdates: null });
    // channels 0,1 → avg-pool·0.5; channels 2,3 → max-pool·2; shuffled [op0, by0, op1, by1].
    expect(Array.from(out.dataSync())).toEqual([0.5 * 6, 2 * 14, 0.5 * 7, 2 * 15]);
  });
});

describe('GDAS sampling', () => {
  it('an edge with a drawn op computes that op only, with the straight-through gradient of every weight', () => {
    const calls = [0, 0, 0];
    const op = (k: number) => ({ apply: (h: tf.Tensor4D) => (calls[k]++, tf.mul(h, k + 1) as tf.Tensor4D) });
    const edge = buildEdge(new ParamBuilder(new Rng(0)), () => [op(0), op(1), op(2)]);
    edge.selected = 1;
    const h = tf.ones([1, 1, 1, 2]) as tf.Tensor4D;
    const ctx: OpContext = { training: true, w: {}, buffers: {}, bnUpdates: null };
    const g = tf.grad((r: tf.Tensor) => tf.sum(edgeValue(h, edge, r as tf.Tensor1D, ctx)))(tf.tensor1d([0, 1, 0]));
    expect(calls).toEqual([0, 1, 0]);
    // d/dw_s = Σ op_s(h) = 4; the others are added as scalars (value 0) to both outputs: 2.
    expect(Array.from(g.dataSync())).toEqual([2, 4, 2]);
  });

  it.each(SPACE_NAMES)('%s: the sampled forward equals DARTS with one-hot weights on the drawn ops', (space) => {
    const cfg = { C: 4, layers: space === 'darts' ? 3 : 1, numClasses: 3, inChannels: 3, seed: 2 };
    const net = SUPERNETS[space](cfg);
    const x = tf.randomNormal([2, 8, 8, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    const labels = net.alphaLayout[0].edges;
    // The ops mixRows draws with the same noise source.
    const draws: Record<string, number[]> = {};
    const probe = { auxScale: 0, sampler: { tau: 5, rng: new Rng(9) } };
    for (const { name } of net.alphaLayout) tf.tidy(() => void (draws[name] = mixRows(net.alphas, name, labels, PLAIN_MIXING, probe, true).selected!));
    net.mixState.sampler = { tau: 5, rng: new Rng(9) };
    const sampled = tf.tidy(() => net.forward(x, ctxOf(net), net.alphas));
    net.mixState.sampler = null;
    const oneHot: Weights = {};
    for (const { name, ops } of net.alphaLayout) oneHot[name] = tf.tidy(() => tf.mul(tf.oneHot(draws[name], ops.length), 100));
    const plain = tf.tidy(() => net.forward(x, ctxOf(net), oneHot));
    expect(Array.from(sampled.dataSync())).toEqual(Array.from(plain.dataSync()).map((v) => expect.closeTo(v, 4)));
    tf.dispose([sampled, plain, ...Object.values(oneHot)]);
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    net.dispose();
  });
});

describe('every mechanism under gradient checkpointing', () => {
  // The unused ops of a GDAS edge get zero gradients inside checkpointed blocks too (no error).
  it.each(SPACE_NAMES)('%s: gradients with recompute cells equal those without (GDAS, PC-DARTS, DARTS-)', (space) => {
    const cfg = { C: 8, layers: space === 'darts' ? 3 : 1, numClasses: 3, inChannels: 3, seed: 6, mixing: { partialChannels: 2, edgeNorm: true, auxSkip: true } };
    const net = SUPERNETS[space](cfg);
    const x = tf.randomNormal([2, 8, 8, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
    const y = tf.tensor1d([0, 2], 'int32');
    const all: Weights = { ...net.alphas, ...net.weights };
    const grads = (recompute: 'none' | 'cells') => {
      net.mixState.sampler = { tau: 2, rng: new Rng(4) };
      return tf.tidy(() => {
        const { grads } = lossAndGrads(() => crossEntropy(net.forward(x, ctxOf(net, recompute), net.alphas), y, 3), all);
        return Object.keys(all).sort().map((k) => grads[k]);
      });
    };
    const [a, b] = [grads('none'), grads('cells')];
    a.forEach((t, i) => expect(Array.from(t.dataSync())).toEqual(Array.from(b[i].dataSync()).map((v) => expect.closeTo(v, 5))));
    tf.dispose([...a, ...b, x, y]);
    net.dispose();
  });
});

describe('DARTS- auxiliary skip', () => {
  it.each(SPACE_NAMES)('%s: β_skip = 0 is the plain supernet; β_skip > 0 adds aux(x) on every edge', (space) => {
    const cfg = { C: 4, layers: space === 'darts' ? 3 : 1, numClasses: 3, inChannels: 3, seed: 4 };
    const net = SUPERNETS[space]({ ...cfg, mixing: { partialChannels: null, edgeNorm: false, auxSkip: true } });
    const plain = SUPERNETS[space](cfg);
    const x = tf.randomNormal([2, 8, 8, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
    // Same weights but for the aux ops' factorized reduces (stride-2 edges of the DARTS space).
    for (const [k, v] of Object.entries(plain.weights)) v.assign(net.weights[k]);
    expect(net.mixState.auxScale).toBe(1);
    const withAux = tf.tidy(() => net.forward(x, ctxOf(net), net.alphas));
    net.mixState.auxScale = 0;
    const off = tf.tidy(() => net.forward(x, ctxOf(net), net.alphas));
    const ref = tf.tidy(() => plain.forward(x, ctxOf(plain), net.alphas));
    expect(Array.from(off.dataSync())).toEqual(Array.from(ref.dataSync()).map((v) => expect.closeTo(v, 5)));
    expect(tf.tidy(() => tf.max(tf.abs(tf.sub(withAux, off))).dataSync()[0])).toBeGreaterThan(1e-3);
    tf.dispose([withAux, off, ref, x]);
    net.dispose();
    plain.dispose();
  });
});
