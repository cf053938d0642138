import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../space/rng';

/**
 * The drop-path state shared by every DropPath layer of one network: the current probability
 * (the trainer ramps it per epoch, DARTS train.py `drop_path_prob * epoch / epochs`) and the
 * seeded stream the masks are drawn from, so a run is reproducible and resumable.
 */
export class DropPathControl {
  rate = 0;
  private rng: Rng;

  constructor(seed = 0) {
    this.rng = new Rng(seed);
  }

  /** Restarts the mask stream (the trainer reseeds it from (seed, epoch) so resume is exact). */
  reseed(seed: number): void {
    this.rng = new Rng(seed);
  }

  nextSeed(): number {
    return this.rng.int(2 ** 31 - 1);
  }
}

interface DropPathArgs {
  name?: string;
  control?: DropPathControl;
}

/**
 * Drop-path (Larsson et al., FractalNet; DARTS utils.drop_path): in training, each sample's
 * path is zeroed with probability p and kept paths are scaled by 1/(1-p); at inference it is the
 * identity. It is a training-only layer: the saved inference model never contains it.
 */
export class DropPath extends tf.layers.Layer {
  static className = 'TfnasDropPath';
  readonly control: DropPathControl;

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
    const seed = this.control.nextSeed();
    return tf.tidy(() => {
      const u = tf.randomUniform([x.shape[0] as number, 1, 1, 1], 0, 1, 'float32', seed);
      // floor(keep + u) is 1 with probability keep: a Bernoulli(keep) mask per sample.
      const mask = tf.floor(tf.add(u, keep));
      return tf.mul(x, tf.div(mask, keep));
    });
  }

  getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig() };
  }
}
tf.serialization.registerClass(DropPath);
