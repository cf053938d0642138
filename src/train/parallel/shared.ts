import * as tf from '@tensorflow/tfjs';

/**
 * The shared memory of a data-parallel pool (pool.ts, replica-worker.ts): one control array for the
 * barrier and the abort flag, one gradient slot per replica, one input area per replica (its shard
 * of the batch) and one state area (weights and optimiser state going to or from the replicas).
 * Everything bulky crosses threads through these SharedArrayBuffers; messages carry only layouts
 * (names, shapes, offsets) and a few numbers.
 */
export interface SharedAreas {
  /** Int32: [arrived, generation, abort]. */
  control: SharedArrayBuffer;
  /** Float32: `size` slots of `slotFloats` each. */
  slots: SharedArrayBuffer;
  slotFloats: number;
  /** Float32 per replica: its shard of the batch. */
  inputs: SharedArrayBuffer[];
  /** Float32: a whole replica state. */
  state: SharedArrayBuffer;
}

const ARRIVED = 0;
const GENERATION = 1;
const ABORT = 2;

export function allocateAreas(size: number, slotFloats: number, inputFloats: number, stateFloats: number): SharedAreas {
  return {
    control: new SharedArrayBuffer(3 * 4),
    slots: new SharedArrayBuffer(size * slotFloats * 4),
    slotFloats,
    inputs: Array.from({ length: size }, () => new SharedArrayBuffer(inputFloats * 4)),
    state: new SharedArrayBuffer(stateFloats * 4),
  };
}

/** Wakes every replica waiting at a barrier and makes it throw (a replica died or failed). */
export function abortAll(areas: SharedAreas): void {
  const ctl = new Int32Array(areas.control);
  Atomics.store(ctl, ABORT, 1);
  Atomics.notify(ctl, GENERATION);
}

export class AbortedError extends Error {
  constructor() {
    super('another worker failed; this one stopped at the gradient exchange');
    this.name = 'AbortedError';
  }
}

/** Where each named tensor lies in a flat Float32 area. */
export interface Entry {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
  offset: number;
}

/** Writes named tensors one after another into `area` from `start`; returns their layout. */
export function writeTensors(area: Float32Array, named: Record<string, tf.Tensor>, start = 0): Entry[] {
  const out: Entry[] = [];
  let offset = start;
  for (const [name, t] of Object.entries(named)) {
    if (offset + t.size > area.length) throw new RangeError(`shared area too small: ${name} needs ${offset + t.size} floats, ${area.length} allocated`);
    area.set(t.dataSync() as ArrayLike<number>, offset);
    out.push({ name, shape: t.shape.slice(), dtype: t.dtype === 'int32' ? 'int32' : 'float32', offset });
    offset += t.size;
  }
  return out;
}

/** Tensors of a layout written by `writeTensors` (copies: the area may be overwritten afterwards). */
export function readTensors(area: Float32Array, layout: Entry[]): Record<string, tf.Tensor> {
  const out: Record<string, tf.Tensor> = {};
  for (const e of layout) {
    const n = e.shape.reduce((a, b) => a * b, 1);
    const values = area.slice(e.offset, e.offset + n);
    out[e.name] = e.dtype === 'int32' ? tf.tensor(Int32Array.from(values), e.shape, 'int32') : tf.tensor(values, e.shape, 'float32');
  }
  return out;
}

/**
 * One replica's end of the exchange: a reusable barrier and the all-reduce. Every replica writes
 * its tensors into its own slot, waits for all, then sums the slots in rank order 0, 1, …, N−1 —
 * the same additions in the same order on every replica, so every replica gets the same bits and a
 * run is deterministic for a given N.
 */
export class Exchange {
  private readonly ctl: Int32Array;
  private readonly slots: Float32Array;

  constructor(private readonly areas: SharedAreas, readonly rank: number, readonly size: number) {
    this.ctl = new Int32Array(areas.control);
    this.slots = new Float32Array(areas.slots);
  }

  /** Waits until every replica has arrived (throws AbortedError once the pool aborts). */
  barrier(): void {
    const gen = Atomics.load(this.ctl, GENERATION);
    if (Atomics.load(this.ctl, ABORT)) throw new AbortedError();
    if (Atomics.add(this.ctl, ARRIVED, 1) === this.size - 1) {
      Atomics.store(this.ctl, ARRIVED, 0);
      Atomics.add(this.ctl, GENERATION, 1);
      Atomics.notify(this.ctl, GENERATION);
      return;
    }
    while (Atomics.load(this.ctl, GENERATION) === gen) {
      // The timeout only bounds how long a missed notify could delay the abort check.
      Atomics.wait(this.ctl, GENERATION, gen, 500);
      if (Atomics.load(this.ctl, ABORT)) throw new AbortedError();
    }
  }

  /** The element-wise sum of `named` over all replicas (same names and shapes on every replica). */
  sum(named: Record<string, tf.Tensor>): Record<string, tf.Tensor> {
    const per = this.areas.slotFloats;
    const mine = this.slots.subarray(this.rank * per, (this.rank + 1) * per);
    const layout = writeTensors(mine, named);
    const total = layout.reduce((s, e) => s + e.shape.reduce((a, b) => a * b, 1), 0);
    this.barrier();
    const acc = this.slots.slice(0, total);
    for (let r = 1; r < this.size; r++) {
      const slot = this.slots.subarray(r * per, r * per + total);
      // acc[j] + slot[j] is exact in double and rounded once on the store: a float32 addition.
      for (let j = 0; j < total; j++) acc[j] += slot[j];
    }
    // Nobody may overwrite a slot until every replica has read them all.
    this.barrier();
    return readTensors(acc, layout);
  }
}
