import * as tf from '@tensorflow/tfjs';
import { mixSeed } from '../data/split';

/**
 * Drop-path (Larsson et al., FractalNet; quark0/darts utils.drop_path) as a functional op: in
 * training each sample's path through an edge is zeroed with probability p and kept paths are
 * scaled by 1/(1−p). The mask is a pure function of (seed, epoch, step, cell, edge): a recomputed
 * edge (gradient checkpointing) draws exactly the mask of its first forward, with no replay state,
 * and a resumed run draws the masks of an uninterrupted one.
 */
export interface DropPathState {
  /** Probability of dropping a path (the trainer ramps it per epoch: DARTS train.py drop_path_prob·epoch/epochs). */
  rate: number;
  seed: number;
  epoch: number;
  step: number;
}

/** The per-sample keep mask already divided by 1−p: n values, each 0 or 1/(1−p). */
export function dropPathMask(s: DropPathState, cell: number, edge: number, n: number): Float32Array {
  const keep = 1 - s.rate;
  const mask = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    // One 32-bit hash per sample, mapped to [0, 1): kept with probability `keep`.
    const u = (mixSeed(s.seed, s.epoch, s.step, cell, edge, i) >>> 0) / 4294967296;
    mask[i] = u < keep ? 1 / keep : 0;
  }
  return mask;
}

/** x·mask (per sample), or x itself when `s` is null or its rate is 0. */
export function dropPath(x: tf.Tensor4D, s: DropPathState | null | undefined, cell: number, edge: number): tf.Tensor4D {
  if (!s || s.rate <= 0) return x;
  const n = x.shape[0];
  return tf.tidy(() => tf.mul(x, tf.tensor4d(dropPathMask(s, cell, edge, n), [n, 1, 1, 1])));
}
