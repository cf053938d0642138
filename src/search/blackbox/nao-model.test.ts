/**
 * The NAO encoder–predictor–decoder: per-position vocabulary masks, reconstruction of a trained
 * set, the gradient step raising the predicted score, determinism, and no tensor leaks.
 */
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../../backend';
import { getSpace } from '../../space/spaces';
import { Rng } from '../../space/rng';
import { NAO_MODEL_DEFAULTS, NaoModel } from './nao-model';

const SMALL = { ...NAO_MODEL_DEFAULTS, steps: 150, lr: 0.02 };

beforeAll(async () => {
  await useBackend('wasm');
});

function nb201Set(n: number): { seqs: number[][]; y: number[] } {
  const s = getSpace('nb201');
  const rng = new Rng(7);
  const seqs = Array.from({ length: n }, () => s.tokens(s.sample(rng)));
  // A score the predictor can learn: the share of token 3 (nor_conv_3x3 in reference order).
  return { seqs, y: seqs.map((q) => q.filter((t) => t === 3).length / q.length) };
}

describe('NaoModel', () => {
  it('decodes only tokens inside each position\'s vocabulary, even untrained', async () => {
    const vocab = [2, 5, 3, 1, 4];
    const m = new NaoModel(vocab, 1, SMALL);
    const rng = new Rng(2);
    const seqs = Array.from({ length: 12 }, () => vocab.map((v) => rng.int(v)));
    const before = tf.memory().numTensors;
    for (const r of await m.reconstruct(seqs)) r.forEach((t, p) => expect(t).toBeLessThan(vocab[p]));
    let calls = 0;
    await m.walk(seqs, [0.5, 1], (_n, logp) => {
      calls++;
      logp.forEach((row, p) => row.slice(vocab[p]).forEach((v) => expect(v).toBeLessThan(-1e6)));
      return false;
    });
    expect(calls).toBe(2 * seqs.length);
    expect(tf.memory().numTensors).toBe(before);
    m.dispose();
  });

  describe('trained on a small NAS-Bench-201 set', () => {
    const { seqs, y } = nb201Set(12);
    const vocab = getSpace('nb201').tokenVocab;
    let trained: NaoModel;
    beforeAll(async () => {
      trained = new NaoModel(vocab, 3, SMALL);
      await trained.fit(seqs, y);
    });
    afterAll(() => trained.dispose());

    it('reconstructs its training set and learns the scores', async () => {
      const before = tf.memory().numTensors;
      expect(await trained.reconstruct(seqs)).toEqual(seqs);
      (await trained.score(seqs)).forEach((p, i) => expect(Math.abs(p - y[i])).toBeLessThan(0.15));
      expect(tf.memory().numTensors).toBe(before);
    });

    it('a gradient step on the embedding raises the predicted score', async () => {
      const before = tf.memory().numTensors;
      const { before: f0, after: f1 } = await trained.stepScores(seqs, 0.5);
      f0.forEach((v, i) => expect(f1[i]).toBeGreaterThan(v));
      expect(tf.memory().numTensors).toBe(before);
    });
  });

  it('fits deterministically per seed, without leaking tensors', async () => {
    const { seqs, y } = nb201Set(6);
    const vocab = getSpace('nb201').tokenVocab;
    const before = tf.memory().numTensors;
    const run = async (seed: number) => {
      const m = new NaoModel(vocab, seed, { ...SMALL, steps: 5 });
      const loss = await m.fit(seqs, y);
      const out = { loss, score: await m.score(seqs) };
      m.dispose();
      return out;
    };
    const a = await run(3);
    expect(await run(3)).toEqual(a);
    expect((await run(4)).score).not.toEqual(a.score);
    expect(tf.memory().numTensors).toBe(before);
  });
});
