import * as tf from '@tensorflow/tfjs';
import { mixSeed } from '../../data/split';
import type { RecomputeAware } from '../layers-recompute';

/**
 * The drop-path state shared by every DropPath layer of one network: the current probability
 * (the trainer ramps it per epoch, DARTS train.py `drop_path_prob * epoch / epochs`) and the
 * seed the masks derive from, so a run is reproducible and resumable. Each layer's n-th mask
 * since the last reseed comes from (seed, layer name, n), not from one shared sequence, so the
 * masks do not depend on the order in which the layers run (the plain model.apply and the
 * per-cell checkpointed forward of layers-recompute.ts walk the graph in different orders).
 */
export class DropPathControl {
  rate = 0;
  private seed: number;
  private readonly calls = new Map<string, number>();

  constructor(seed = 0) {
    this.seed = seed;
  }

  /** Restarts every layer's mask sequence (the trainer reseeds from (seed, epoch) so resume is exact). */
  reseed(seed: number): void {
    this.seed = seed;
    this.calls.clear();
  }

  /** The seed of the next mask of layer `name`. */
  nextSeed(name: string): number {
    const n = this.calls.get(name) ?? 0;
    this.calls.set(name, n + 1);
    return mixSeed(this.seed, nameHash(name), n) & 0x7fffffff;
  }
}

/** FNV-1a of a layer name: a stable number to mix into its mask seeds. */
function nameHash(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

interface DropPathArgs {
  name?: string;
  control?: DropPathControl;
}

/**
 * Drop-path (Larsson et al., FractalNet; DARTS utils.drop_path): in training, each sample's
 * path is zeroed with probability p and kept paths are scaled by 1/(1-p); at inference it is the
 * identity. It is a training-only layer: the saved inference model never contains it.
 * Gradient checkpointing (layers-recompute.ts) calls it twice per step; the second call replays
 * the mask seed of the first, so forward and recompute drop the same paths.
 */
export class DropPath extends tf.layers.Layer implements RecomputeAware {
  static className = 'TfnasDropPath';
  readonly control: DropPathControl;
  private lastSeed: number | null = null;
  private replaying = 0; // nesting depth of recomputes

  constructor(args: DropPathArgs = {}) {
    super({ name: args.name });
    this.control = args.control ?? new DropPathControl();
  }

  computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, any>): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    const p = this.control.rate;
    if (!kwargs?.training || p <= 0) return tf.clone(x);
    const keep = 1 - p;
    const seed = this.replaying > 0 && this.lastSeed !== null ? this.lastSeed : this.control.nextSeed(this.name);
    this.lastSeed = seed;
    return tf.tidy(() => {
      const u = tf.randomUniform([x.shape[0] as number, 1, 1, 1], 0, 1, 'float32', seed);
      // floor(keep + u) is 1 with probability keep: a Bernoulli(keep) mask per sample.
      const mask = tf.floor(tf.add(u, keep));
      return tf.mul(x, tf.div(mask, keep));
    });
  }

  beginRecompute(): void {
    this.replaying++;
  }

  endRecompute(): void {
    this.replaying--;
  }

  getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig() };
  }
}
tf.serialization.registerClass(DropPath);
