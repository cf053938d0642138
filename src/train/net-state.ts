import * as tf from '@tensorflow/tfjs';
import { UsageError } from '../io/errors';
import { disposeAll, loadCheckpoint } from './checkpoint';
import type { TrainableNetwork } from './retrain-step';

/**
 * A functional network's checkpointed state, shared by every trainer of one (retraining, the
 * macro space's): the weights as `weight/<name>`, the BatchNorm running statistics as
 * `buffer/<name>`; the optimiser adds its own tensors beside them.
 */
export function networkStateTensors(net: TrainableNetwork): Record<string, tf.Tensor> {
  const out: Record<string, tf.Tensor> = {};
  for (const [name, w] of Object.entries(net.weights)) out[`weight/${name}`] = w;
  for (const [name, b] of Object.entries(net.buffers)) out[`buffer/${name}`] = b;
  return out;
}

/** Takes weights and statistics from `networkStateTensors`-named tensors, after checking every name and shape (the caller disposes them). */
export function loadNetworkState(net: TrainableNetwork, tensors: Record<string, tf.Tensor>, source: string): void {
  const all: [string, tf.Variable][] = [
    ...Object.entries(net.weights).map(([n, v]): [string, tf.Variable] => [`weight/${n}`, v]),
    ...Object.entries(net.buffers).map(([n, v]): [string, tf.Variable] => [`buffer/${n}`, v]),
  ];
  for (const [key, v] of all) {
    const t = tensors[key];
    if (!t) throw new UsageError(`--resume: ${source} has no tensor ${key} (made by another version of tfnas?)`);
    if (!tf.util.arraysEqual(t.shape, v.shape)) throw new UsageError(`--resume: ${key} in ${source} has shape [${t.shape}], the network has [${v.shape}]`);
  }
  for (const [key, v] of all) v.assign(tensors[key]);
}

/**
 * Loads the checkpoint in `dir` when its fingerprint matches (else a UsageError naming what
 * differs), hands its tensors to `load` and frees them; null when there is no checkpoint.
 */
export function restoreCheckpoint<S extends { fingerprint: Record<string, unknown> }>(
  dir: string,
  fingerprint: Record<string, unknown>,
  load: (tensors: Record<string, tf.Tensor>, state: S, source: string) => void,
): S | null {
  const ckpt = loadCheckpoint<S>(dir);
  if (!ckpt) return null;
  try {
    for (const [k, v] of Object.entries(fingerprint)) {
      if (JSON.stringify(ckpt.state.fingerprint?.[k]) !== JSON.stringify(v)) {
        throw new UsageError(`--resume: the checkpoint in ${dir} was made with ${k} = ${JSON.stringify(ckpt.state.fingerprint?.[k])}, this run has ${JSON.stringify(v)}`);
      }
    }
    load(ckpt.tensors, ckpt.state, `the checkpoint in ${dir}`);
    return ckpt.state;
  } finally {
    // Variable.assign shares the data (reference-counted), so the loaded tensors can all go.
    disposeAll(ckpt.tensors);
  }
}
