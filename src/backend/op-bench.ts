import * as tf from '@tensorflow/tfjs';

/**
 * Timing of forward+backward passes, for `tfnas bench ops`. Generic over what is timed: a subject
 * builds its parameters once and maps an input batch to an output; one timed step is the forward
 * pass, a sum, and the gradients with respect to the input and every parameter (what a training or
 * search step computes), read back so that the backend has really finished.
 */
export interface BenchSubject {
  name: string;
  setup(): PreparedSubject;
}

export interface PreparedSubject {
  forward: (x: tf.Tensor4D) => tf.Tensor;
  /** Tensors differentiated besides the input (weights, architecture parameters). */
  params: tf.Tensor[];
  dispose(): void;
}

export interface BenchOptions {
  batch: number;
  channels: number;
  size: number;
  /** Timed steps; the median is reported. */
  repeats: number;
  /** Untimed steps first (wasm allocates its heap and XNNPACK operators on the first calls). */
  warmup: number;
  seed: number;
}

export interface BenchResult {
  name: string;
  medianMs: number;
  minMs: number;
  maxMs: number;
  runs: number;
  outShape: number[];
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** One training-like step; returns the output shape. Everything it creates is freed. */
async function step(prepared: PreparedSubject, x: tf.Tensor4D): Promise<number[]> {
  let outShape: number[] = [];
  const loss = () => {
    const y = prepared.forward(x);
    outShape = y.shape;
    return tf.sum(y) as tf.Scalar;
  };
  // allowNoGradients: the `none` op's output does not depend on its input.
  const { value, grads } = tf.engine().gradients(loss, [x, ...prepared.params], undefined, true);
  // Waits until every result is computed (asynchronously: webgpu has no synchronous read in Node).
  await Promise.all([value, ...grads].map((g) => g?.data()));
  tf.dispose([value, ...grads.filter((g) => g != null)]);
  return outShape;
}

export async function timeSubject(subject: BenchSubject, opts: BenchOptions): Promise<BenchResult> {
  const x = tf.randomNormal([opts.batch, opts.size, opts.size, opts.channels], 0, 1, 'float32', opts.seed) as tf.Tensor4D;
  const prepared = subject.setup();
  try {
    let outShape: number[] = [];
    for (let i = 0; i < opts.warmup; i++) outShape = await step(prepared, x);
    const times: number[] = [];
    for (let i = 0; i < opts.repeats; i++) {
      const t0 = performance.now();
      outShape = await step(prepared, x);
      times.push(performance.now() - t0);
    }
    return { name: subject.name, medianMs: median(times), minMs: Math.min(...times), maxMs: Math.max(...times), runs: opts.repeats, outShape };
  } finally {
    prepared.dispose();
    x.dispose();
  }
}

/** Times every subject in turn; `onResult` is called after each (for progress output). */
export async function benchSubjects(subjects: BenchSubject[], opts: BenchOptions, onResult?: (r: BenchResult, i: number) => void): Promise<BenchResult[]> {
  const out: BenchResult[] = [];
  for (const [i, s] of subjects.entries()) {
    out.push(await timeSubject(s, opts));
    onResult?.(out[i], i);
  }
  return out;
}
