import * as tf from '@tensorflow/tfjs';
import { badArgument, UsageError } from '../io/errors';
import { Rng } from '../space/rng';
import { AugmentOptions, drawAugment, normalisationTable, writeImage } from './augment';
import { mixSeed } from './split';
import type { Dataset, DataSplit } from './types';

export interface LoaderOptions {
  batchSize: number;
  /** Seeds the per-epoch order and the augmentation draws. */
  seed: number;
  /** Reshuffle every epoch (default true); false keeps index order (evaluation). */
  shuffle?: boolean;
  augment?: AugmentOptions;
  /** Drop the last partial batch (default false, like DARTS's DataLoader). */
  dropLast?: boolean;
  /** Override the dataset's mean/std (default: the dataset's). */
  mean?: number[];
  std?: number[];
}

/**
 * Where a loader is: the next batch is step `step` of epoch `epoch` (`step == batchesPerEpoch`
 * means the epoch is done). Plain JSON for checkpoints; `seed`, `batchSize` and `size` are checked
 * on restore.
 */
export interface LoaderState {
  epoch: number;
  step: number;
  seed: number;
  batchSize: number;
  size: number;
}

/** A batch as plain arrays (NHWC float32 and int32 labels). */
export interface HostBatch {
  x: Float32Array;
  y: Int32Array;
  /** Images in this batch (the last batch of an epoch may be smaller). */
  n: number;
  /** Which batch this is: step `step` (0-based) of epoch `epoch`. */
  epoch: number;
  step: number;
}

/** A batch as tensors; the caller disposes `x` and `y`. `epoch`/`step` as in HostBatch. */
export interface Batch {
  x: tf.Tensor4D;
  y: tf.Tensor1D;
  epoch: number;
  step: number;
}

/**
 * Serves batches of one split (a dataset part plus a list of indices into it). Epoch e visits the
 * indices in an order drawn from (seed, e); batch (e, s) draws its augmentation from (seed, e, s),
 * so `seek(e, s)` resumes exactly without replaying earlier batches. `next()` rolls over to the
 * next epoch at the end of one, so an architecture-side loader can simply be cycled.
 */
export class BatchLoader {
  readonly size: number;
  readonly batchesPerEpoch: number;
  private readonly split: DataSplit;
  private readonly indices: Int32Array;
  private readonly lut: Float32Array;
  private readonly aug: AugmentOptions;
  private epoch = 0;
  private step = 0;
  private order: Int32Array | null = null;
  private orderEpoch = -1;

  constructor(
    readonly dataset: Dataset,
    part: 'train' | 'test',
    indices: ArrayLike<number> | null,
    private readonly opts: LoaderOptions,
  ) {
    this.split = dataset[part];
    this.indices = indices ? Int32Array.from(indices) : Int32Array.from({ length: this.split.count }, (_, i) => i);
    for (const i of this.indices) {
      if (i < 0 || i >= this.split.count) throw new RangeError(`BatchLoader: index ${i} outside the ${part} split (0-${this.split.count - 1})`);
    }
    if (!Number.isInteger(opts.batchSize) || opts.batchSize < 1) badArgument('batch-size', 'a positive integer', opts.batchSize);
    this.size = this.indices.length;
    if (this.size === 0) throw new UsageError(`no ${part} images to load (check --train-limit/--test-limit)`);
    this.batchesPerEpoch = opts.dropLast ? Math.floor(this.size / opts.batchSize) : Math.ceil(this.size / opts.batchSize);
    if (this.batchesPerEpoch === 0) badArgument('batch-size', `at most ${this.size} (the split size) when dropping the last partial batch`, opts.batchSize);
    this.aug = opts.augment ?? {};
    this.lut = normalisationTable(opts.mean ?? dataset.mean, opts.std ?? dataset.std);
  }

  get state(): LoaderState {
    return { epoch: this.epoch, step: this.step, seed: this.opts.seed, batchSize: this.opts.batchSize, size: this.size };
  }

  /** Continues from a saved state; refuses one saved with another seed, batch size or split. */
  restore(s: LoaderState): void {
    const mine = this.state;
    for (const k of ['seed', 'batchSize', 'size'] as const) {
      if (s[k] !== mine[k]) throw new UsageError(`cannot resume the data loader: checkpoint has ${k} ${s[k]}, this run has ${mine[k]}`);
    }
    this.seek(s.epoch, s.step);
  }

  /** Positions the loader so that the next batch is step `step` of epoch `epoch`. */
  seek(epoch: number, step: number): void {
    if (!Number.isInteger(epoch) || epoch < 0 || !Number.isInteger(step) || step < 0 || step > this.batchesPerEpoch) {
      throw new RangeError(`BatchLoader.seek(${epoch}, ${step}): expected epoch >= 0 and step in [0, ${this.batchesPerEpoch}]`);
    }
    this.epoch = epoch;
    this.step = step;
  }

  /** The index order of epoch `e` (cached for the current epoch). */
  orderOf(e: number): Int32Array {
    if (this.orderEpoch === e && this.order) return this.order;
    const order = this.indices.slice();
    if (this.opts.shuffle !== false) {
      const rng = new Rng(mixSeed(this.opts.seed, e, 0x0de5));
      for (let i = order.length - 1; i > 0; i--) {
        const j = rng.int(i + 1);
        const t = order[i];
        order[i] = order[j];
        order[j] = t;
      }
    }
    this.order = order;
    this.orderEpoch = e;
    return order;
  }

  /** The next batch as plain arrays; rolls over to the next epoch after the last batch. */
  nextHost(): HostBatch {
    if (this.step >= this.batchesPerEpoch) {
      this.epoch++;
      this.step = 0;
    }
    const { epoch, step } = this;
    const order = this.orderOf(epoch);
    const bs = this.opts.batchSize;
    const start = step * bs;
    const n = Math.min(bs, this.size - start);
    const [h, w, c] = this.dataset.shape;
    const per = h * w * c;
    const x = new Float32Array(n * per);
    const y = new Int32Array(n);
    const augmenting = (this.aug.crop ?? 0) > 0 || !!this.aug.flip || (this.aug.cutout ?? 0) > 0;
    const rng = augmenting ? new Rng(mixSeed(this.opts.seed, epoch, step, 0xa09)) : null;
    for (let i = 0; i < n; i++) {
      const src = order[start + i];
      y[i] = this.split.labels[src];
      writeImage(this.split, this.dataset.shape, src, drawAugment(this.aug, h, w, rng), this.aug, this.lut, x, i * per);
    }
    this.step++;
    return { x, y, n, epoch, step };
  }

  /** The next batch as tensors (one tensor creation each); the caller disposes them. */
  next(): Batch {
    const b = this.nextHost();
    const [h, w, c] = this.dataset.shape;
    return { x: tf.tensor4d(b.x, [b.n, h, w, c], 'float32'), y: tf.tensor1d(b.y, 'int32'), epoch: b.epoch, step: b.step };
  }

  /** The remaining batches of the current epoch (all of them after `seek(e, 0)`). */
  *epochBatches(): Generator<Batch> {
    if (this.step >= this.batchesPerEpoch) {
      this.epoch++;
      this.step = 0;
    }
    const e = this.epoch;
    while (this.epoch === e && this.step < this.batchesPerEpoch) yield this.next();
  }
}
