import type * as tf from '@tensorflow/tfjs';
import type { Supernet } from '../../nets/supernet';
import type { DartsArchitect } from './architect';

/**
 * A DARTS run's trainable state as named tensors — weights (`w/`), BatchNorm statistics (`buf/`),
 * α (`alpha/`), both optimisers (`sgd/`, `adam/`) — and Adam's step count: what a checkpoint holds
 * and what the main thread and the data-parallel replicas hand each other. The tensors are the
 * live ones (read them, do not dispose them).
 */
export function runState(net: Supernet, arch: DartsArchitect): { tensors: Record<string, tf.Tensor>; adamSteps: number } {
  const { tensors, adamSteps } = arch.state();
  const all: Record<string, tf.Tensor> = { ...tensors };
  for (const [group, vars] of Object.entries(groups(net))) {
    for (const [k, v] of Object.entries(vars)) all[`${group}/${k}`] = v;
  }
  return { tensors: all, adamSteps };
}

/** Copies a `runState` into the live variables and optimisers (shapes must match). */
export function loadRunState(net: Supernet, arch: DartsArchitect, tensors: Record<string, tf.Tensor>, adamSteps: number): void {
  for (const [group, vars] of Object.entries(groups(net))) {
    for (const [k, v] of Object.entries(vars)) {
      const t = tensors[`${group}/${k}`];
      if (!t || t.shape.join(',') !== v.shape.join(',')) {
        throw new Error(`checkpoint does not match this supernet: ${group}/${k} ${t ? `has shape [${t.shape}]` : 'is missing'}, expected [${v.shape}]`);
      }
      v.assign(t);
    }
  }
  arch.loadState(tensors, adamSteps);
}

function groups(net: Supernet): Record<string, Record<string, tf.Variable>> {
  return { w: net.weights, buf: net.buffers, alpha: net.alphas };
}
