import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../backend';
import { dropPath, dropPathMask, DropPathState } from './drop-path';

beforeAll(async () => {
  await useBackend('cpu');
});

const state: DropPathState = { rate: 0.5, seed: 3, epoch: 1, step: 7 };

describe('drop-path (utils.drop_path) as a pure function of (seed, epoch, step, cell, edge)', () => {
  test('zeroes whole samples, scales the kept ones by 1/(1−p), keeps about 1−p of them', () => {
    const before = tf.memory().numTensors;
    const x = tf.ones([512, 2, 2, 3]) as tf.Tensor4D;
    const y = dropPath(x, state, 2, 5);
    const v = y.dataSync();
    expect(new Set(Array.from(v))).toEqual(new Set([0, 2]));
    for (let n = 0; n < 512; n++) expect(new Set(Array.from(v.subarray(12 * n, 12 * n + 12))).size).toBe(1);
    const kept = Array.from(dropPathMask(state, 2, 5, 512)).filter((m) => m > 0).length;
    expect(kept).toBeGreaterThan(512 * 0.4);
    expect(kept).toBeLessThan(512 * 0.6);
    tf.dispose([x, y]);
    expect(tf.memory().numTensors).toBe(before);
  });

  test('the same coordinates give the same mask; each coordinate changes it', () => {
    const m = (s: DropPathState, cell: number, edge: number) => Array.from(dropPathMask(s, cell, edge, 64));
    expect(m(state, 2, 5)).toEqual(m({ ...state }, 2, 5));
    for (const other of [m({ ...state, seed: 4 }, 2, 5), m({ ...state, epoch: 2 }, 2, 5), m({ ...state, step: 8 }, 2, 5), m(state, 3, 5), m(state, 2, 6)]) {
      expect(other).not.toEqual(m(state, 2, 5));
    }
  });

  test('is the identity at rate 0 or without a state', () => {
    const x = tf.ones([4, 1, 1, 1]) as tf.Tensor4D;
    expect(dropPath(x, { ...state, rate: 0 }, 0, 0)).toBe(x);
    expect(dropPath(x, null, 0, 0)).toBe(x);
    x.dispose();
  });
});
