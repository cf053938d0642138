import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../../backend';
import { makeSynthetic } from '../../data/synthetic';
import type { Dataset } from '../../data/types';
import { SUPERNETS } from '../../nets/supernet-registry';
import { DARTS_DEFAULTS, DartsConfig, scheduleAt, validateDartsConfig } from './config';
import { DartsArchitect } from './architect';
import { setEpochMethod } from './epoch-method';
import { METHODS, METHOD_NAMES, MethodName, scaledWarmup } from './methods';
import { betaDecayTerm, entropyTerm } from './objectives';
import { runDartsSearchLoop } from './search';

beforeAll(async () => {
  await useBackend('wasm');
});

const quiet = () => undefined;
let tmp: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tfnas-methods-'));
});
afterEach(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

const data = (): Dataset => makeSynthetic({ size: 8, channels: 3, classes: 3, trainCount: 16, testCount: 4, seed: 1 });

/** A tiny run of a method on a space (C = 8: PC-DARTS's K = 4 leaves an even C/K for the DARTS space). */
function config(method: MethodName, space: 'darts' | 'nb201', over: Partial<DartsConfig> = {}): DartsConfig {
  const preset: Partial<DartsConfig> = METHODS[method].settings;
  return {
    ...DARTS_DEFAULTS, ...preset, method, space, dataset: 'synthetic', seed: 3, layers: space === 'darts' ? 3 : 1, initChannels: 8,
    batchSize: 4, epochs: 2, augment: false, warmupEpochs: scaledWarmup(method, 2), ...over,
  };
}

describe('architecture objective terms (pure rules, on α alone)', () => {
  const alphas = () => ({ normal: tf.tensor2d([[0.3, -1, 2], [0, 0, 0]]), reduce: tf.tensor2d([[1, 2, 3], [-2, 0.5, 0]]) });

  it('Beta-decay: the term\'s gradient is λ·softmax(α_edge)/edges (β-DARTS eq. 9)', () => {
    const a = alphas();
    const before = tf.memory().numTensors;
    const term = betaDecayTerm(2.5, ['normal', 'reduce']);
    const g = tf.grads((n: tf.Tensor, r: tf.Tensor) => term(tf.scalar(0), { normal: n, reduce: r }))([a.normal, a.reduce]);
    for (const [k, t] of [[0, a.normal], [1, a.reduce]] as const) {
      const want = tf.tidy(() => tf.mul(tf.softmax(t, -1), 2.5 / 4));
      expect(Array.from(g[k].dataSync())).toEqual(Array.from(want.dataSync()).map((v) => expect.closeTo(v, 6)));
      want.dispose();
    }
    tf.dispose(g);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(Object.values(a));
  });

  it('entropy: the term adds w·mean edge entropy; its gradient is −w·p(log p + H)/edges', () => {
    const a = alphas();
    const term = entropyTerm(-0.5, ['normal', 'reduce']);
    const value = tf.tidy(() => term(tf.scalar(1), a).dataSync()[0]);
    const rows = [...(a.normal.arraySync() as number[][]), ...(a.reduce.arraySync() as number[][])];
    const probs = rows.map((r) => r.map((v) => Math.exp(v)).map((e, _, all) => e / all.reduce((s, x) => s + Math.exp(Math.log(x)), 0)));
    const H = probs.map((p) => -p.reduce((s, x) => s + x * Math.log(x), 0));
    expect(value).toBeCloseTo(1 - 0.5 * (H.reduce((s, h) => s + h, 0) / 4), 5);
    const g = tf.grad((n: tf.Tensor) => term(tf.scalar(0), { ...a, normal: n }))(a.normal);
    const want = probs.slice(0, 2).flatMap((p, e) => p.map((x) => (0.5 * x * (Math.log(x) + H[e])) / 4));
    expect(Array.from(g.dataSync())).toEqual(want.map((v) => expect.closeTo(v, 5)));
    tf.dispose([g, ...Object.values(a)]);
  });

  it('schedules are linear from the first epoch\'s value to the last\'s', () => {
    expect([0, 1, 2, 3, 4].map((e) => scheduleAt([10, 0.1], e, 5))).toEqual([10, 7.525, 5.05, 2.575, 0.1].map((v) => expect.closeTo(v, 9)));
    expect(scheduleAt([3, 7], 0, 1)).toBe(3);
  });
});

describe('per-epoch method state', () => {
  it('sets the objective terms on the architect and β_skip, τ and a (seed, epoch) noise source on the supernet', () => {
    const net = SUPERNETS.nb201({ C: 4, layers: 1, numClasses: 3, inChannels: 3, seed: 0, mixing: { partialChannels: null, edgeNorm: false, auxSkip: true } });
    const arch = new DartsArchitect(net, { ...DARTS_DEFAULTS, recompute: 'none' });
    const cfg = config('darts', 'nb201', { epochs: 5, auxSkip: [1, 0], gumbelTau: [10, 0.1], betaDecay: [0, 50], entropyWeight: [0.1, 0.1] });
    setEpochMethod(cfg, 4, arch);
    expect(arch.objectives).toHaveLength(2);
    expect(net.mixState.auxScale).toBe(0);
    expect(net.mixState.sampler?.tau).toBeCloseTo(0.1, 9);
    const draw = net.mixState.sampler!.rng.next();
    setEpochMethod(cfg, 4, arch);
    expect(net.mixState.sampler!.rng.next()).toBe(draw);
    setEpochMethod({ ...cfg, auxSkip: null, gumbelTau: null, betaDecay: null, entropyWeight: null }, 1, arch);
    expect([arch.objectives.length, net.mixState.auxScale, net.mixState.sampler]).toEqual([0, 0, null]);
    arch.dispose();
    net.dispose();
  });

  it('refuses settings a method cannot run with, naming the option', () => {
    expect(() => validateDartsConfig(config('gdas', 'nb201', { order: 2 }))).toThrow(/--order: expected 1 with Gumbel sampling/);
    expect(() => validateDartsConfig(config('pc-darts', 'darts', { initChannels: 4 }))).toThrow(/--partial-channels/);
    expect(() => validateDartsConfig(config('pc-darts', 'nb201', { warmupEpochs: 2 }))).toThrow(/--warmup-epochs/);
    expect(() => validateDartsConfig(config('darts', 'nb201', { betaDecay: [1] as unknown as [number, number] }))).toThrow(/--beta-decay/);
  });
});

describe.each(METHOD_NAMES)('%s', (method) => {
  it.each(['darts', 'nb201'] as const)('runs on %s, records its settings, and a killed run resumes exactly', async (space) => {
    const cfg = config(method, space);
    const [a, b] = [path.join(tmp, 'a'), path.join(tmp, 'b')];
    const before = tf.memory().numTensors;
    const full = await runDartsSearchLoop(cfg, data(), { out: a, resume: false, backend: 'wasm', log: quiet });
    expect(tf.memory().numTensors).toBe(before);
    expect(full.method).toBe(method);
    expect(full.skip_curve).toHaveLength(2);
    const saved = JSON.parse(fs.readFileSync(path.join(a, 'config.json'), 'utf8')).config;
    expect(saved.method).toBe(method);
    for (const [k, v] of Object.entries(METHODS[method].settings)) {
      if (k !== 'warmupEpochs' && k !== 'batchSize') expect(saved[k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)]).toEqual(v);
    }
    const kill = (e: number) => {
      if (e === 0) throw new Error('killed');
    };
    await expect(runDartsSearchLoop(cfg, data(), { out: b, resume: false, backend: 'wasm', log: quiet, afterEpoch: kill })).rejects.toThrow('killed');
    const resumed = await runDartsSearchLoop(cfg, data(), { out: b, resume: true, backend: 'wasm', log: quiet });
    expect(resumed.text).toBe(full.text);
    for (const f of ['alphas.csv', 'genotype.json']) expect(fs.readFileSync(path.join(b, f), 'utf8')).toBe(fs.readFileSync(path.join(a, f), 'utf8'));
  });
});

describe('second order', () => {
  it.each(METHOD_NAMES.filter((m) => m !== 'gdas'))('%s runs with the unrolled hypergradient on both spaces', async (method) => {
    for (const space of ['darts', 'nb201'] as const) {
      const s = await runDartsSearchLoop(config(method, space, { order: 2, epochs: 2, warmupEpochs: 0 }), data(), { out: path.join(tmp, space), resume: false, backend: 'wasm', log: quiet });
      expect(s.skip_curve).toHaveLength(2);
      expect(Number(s.final?.train_loss)).toBeGreaterThan(0);
    }
  });
});

describe('--max-skip', () => {
  it('keep: the result is the last cell with at most K skips (log.csv says which); stop: the search ends there', async () => {
    const cfg = config('darts', 'nb201', { epochs: 3, maxSkip: 1, maxSkipAction: 'keep' });
    const s = await runDartsSearchLoop(cfg, data(), { out: path.join(tmp, 'keep'), resume: false, backend: 'wasm', log: quiet });
    const kept = s.max_skip!.kept_epoch;
    const lines = fs.readFileSync(path.join(tmp, 'keep', 'log.csv'), 'utf8').trim().split('\n').slice(1);
    expect(lines).toHaveLength(3);
    const skips = s.skip_curve;
    const lastOk = skips.map((k, i) => (k <= 1 ? i + 1 : -1)).filter((e) => e > 0).pop() ?? null;
    if (lastOk !== null) expect(kept).toBe(lastOk);
    expect(s.max_skip!.stopped_after).toBeNull();
    // The same run with `stop`: it ends after the first epoch past K (if any), with the same kept cell.
    const st = await runDartsSearchLoop({ ...cfg, maxSkipAction: 'stop' }, data(), { out: path.join(tmp, 'stop'), resume: false, backend: 'wasm', log: quiet });
    const firstBad = skips.findIndex((k) => k > 1);
    expect(st.skip_curve).toEqual(firstBad < 0 ? skips : skips.slice(0, firstBad + 1));
    expect(st.max_skip!.stopped_after).toBe(firstBad < 0 ? null : firstBad + 1);
  });

  it('maxSkip 0 with a tiny supernet: the guard keeps the only cells without skips', async () => {
    const s = await runDartsSearchLoop(config('darts', 'nb201', { maxSkip: 0, maxSkipAction: 'keep' }), data(), { out: path.join(tmp, 'zero'), resume: false, backend: 'wasm', log: quiet });
    const ops = (s.genotype as { ops: string[] }).ops;
    if (s.max_skip!.kept_epoch !== null) expect(ops).not.toContain('skip_connect');
  });
});
