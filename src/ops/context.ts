import * as tf from '@tensorflow/tfjs';
import { Rng } from '../space/rng';
import { BN_EPS, BnUpdate, batchNormTrain } from './batchnorm';
import type { DropPathState } from './drop-path';

export { BN_EPS, BN_MOMENTUM, applyBnUpdates, batchNormTrain, batchNormTrainComposed, batchNormTrainFused } from './batchnorm';
export type { BnUpdate } from './batchnorm';

/**
 * The functional building blocks of the candidate ops. Every op is a closure over the *names* of
 * its parameters; at call time it reads the tensors from `ctx.w`, which is either the live
 * variables or any other tensors of the same shapes (DARTS's virtual weights w' and the perturbed
 * w± of the second-order step). That gives exact control over what is differentiated, with no
 * model cloning and no tfjs second derivatives.
 */
export type Weights = Record<string, tf.Tensor>;

/** Gradient checkpointing as run (`--recompute auto` resolves to one of these: nets/recompute.ts). */
export type Recompute = 'none' | 'edges' | 'cells';

export interface OpContext {
  /** true: BatchNorm normalises with batch statistics (PyTorch `model.train()`); false: running statistics. */
  training: boolean;
  /** Trainable weights by name (the variables, or substitutes of the same shapes). */
  w: Weights;
  /** BatchNorm running statistics by name (`<bn>/mean`, `<bn>/var`). */
  buffers: Weights;
  /** When non-null (and training), each BatchNorm appends its batch statistics here (kept tensors). */
  bnUpdates: BnUpdate[] | null;
  /**
   * Gradient checkpointing of the supernet in training forwards (see nets/supernet-edge.ts):
   * `edges` recomputes each edge in the backward pass, `cells` each cell (of recomputed edges) —
   * the least memory; `none` (or absent) keeps every activation.
   */
  recompute?: Recompute;
  /**
   * false: the caller differentiates with respect to α and inputs only, so checkpointed blocks skip
   * the weights' gradients in their recomputed backward (DARTS's architecture steps; tfjs prunes
   * them by itself elsewhere). Default true.
   */
  paramGrads?: boolean;
  /** Drop-path of the discrete network's training forward (ops/drop-path.ts); absent or null: none. */
  dropPath?: DropPathState | null;
}

export type Apply = (x: tf.Tensor4D, ctx: OpContext) => tf.Tensor4D;

/**
 * Runs one block of a network (an edge, a cell) so that its intermediates are freed as soon as it
 * returns its output, whenever no gradient is being recorded: evaluation and forward-only scoring
 * then hold one block's activations at a time instead of the whole network's. One tf.tidy around
 * the network would keep them all until the end: the DARTS paper configuration's validation pass
 * at batch 64 needed more than the wasm heap that way. Under a tape the block runs as it is (the
 * tape keeps what the backward needs, and the caller's tidy frees the rest).
 */
export function releasing<T extends tf.TensorContainer>(block: () => T): T {
  return tf.engine().isTapeOn() ? block() : tf.tidy(block);
}

/** A built op: its forward function, and whether it is the `none` op (output identically zero). */
export interface Op {
  apply: Apply;
  zero?: boolean;
  /**
   * For ops that begin with a ReLU: the rest of the op, applied to an input already passed through
   * ReLU. A mixed node computes relu(h) once and hands it to all such ops of every edge leaving h
   * (the same values as each op's own ReLU, with one activation kept for the backward pass instead
   * of one per op).
   */
  afterRelu?: Apply;
}

/** An op made of ReLU followed by `body`. */
export function reluFirst(body: Apply): Op {
  return { apply: (x, ctx) => body(tf.relu(x), ctx), afterRelu: body };
}

/** A variable holding `init`'s values; `init` is disposed (tf.variable would leave it alive). */
export function variableFrom(init: tf.Tensor, trainable: boolean): tf.Variable {
  const v = tf.variable(init, trainable);
  init.dispose();
  return v;
}

/**
 * Creates parameters with PyTorch's default initialisation, seeded, and records them by name.
 * Names are hierarchical (`cells.3.edges.5.sep_conv_3x3.dw1`) and unique within one network.
 */
export class ParamBuilder {
  readonly params: Record<string, tf.Variable> = {};
  readonly buffers: Record<string, tf.Variable> = {};

  private biasRng: Rng | null = null;

  constructor(private readonly rng: Rng) {}

  private add(name: string, shape: number[], values: Float32Array): string {
    if (this.params[name]) throw new Error(`duplicate parameter name ${name}`);
    this.params[name] = variableFrom(tf.tensor(values, shape), true);
    return name;
  }

  /** Uniform(−b, b) with b = 1/√fan_in: PyTorch's kaiming_uniform_(a=√5) for conv and linear weights. */
  private uniform(n: number, fanIn: number): Float32Array {
    const b = 1 / Math.sqrt(fanIn);
    const v = new Float32Array(n);
    for (let i = 0; i < n; i++) v[i] = (2 * this.rng.next() - 1) * b;
    return v;
  }

  /** A k×k convolution filter [k, k, cin, cout] (DARTS's convs have no bias; see convBias). */
  conv(name: string, k: number, cin: number, cout: number): string {
    return this.add(name, [k, k, cin, cout], this.uniform(k * k * cin * cout, k * k * cin));
  }

  /** A convolution's bias [cout], Uniform(±1/√fan_in) as torch.nn.Conv2d (AutoDL's ReLUConvBN has one when its BN is not affine). */
  convBias(name: string, k: number, cin: number, cout: number): string {
    // Biases draw from a stream of their own (branched off, not advancing the weights' stream), so
    // that adding them left every other weight's initial value, and results seeded on them, as before.
    this.biasRng ??= Rng.fromState(this.rng.state ^ 0x5bd1e995);
    const bound = 1 / Math.sqrt(k * k * cin);
    const v = new Float32Array(cout);
    for (let i = 0; i < cout; i++) v[i] = (2 * this.biasRng.next() - 1) * bound;
    return this.add(name, [cout], v);
  }

  /** A depthwise filter [k, k, C, 1] (PyTorch groups=C: fan_in = k·k). */
  depthwise(name: string, k: number, C: number): string {
    return this.add(name, [k, k, C, 1], this.uniform(k * k * C, k * k));
  }

  /** A linear layer: weight [cin, cout] and bias [cout], both Uniform(±1/√cin) as torch.nn.Linear. */
  linear(name: string, cin: number, cout: number): { weight: string; bias: string } {
    const weight = this.add(`${name}.weight`, [cin, cout], this.uniform(cin * cout, cin));
    const bias = this.add(`${name}.bias`, [cout], this.uniform(cout, cin));
    return { weight, bias };
  }

  /** BatchNorm state: running mean 0 / var 1 (buffers), and γ=1, β=0 when affine. */
  bn(name: string, C: number, affine: boolean): string {
    if (this.buffers[`${name}/mean`]) throw new Error(`duplicate BatchNorm name ${name}`);
    this.buffers[`${name}/mean`] = variableFrom(tf.zeros([C]), false);
    this.buffers[`${name}/var`] = variableFrom(tf.ones([C]), false);
    if (affine) {
      this.add(`${name}.gamma`, [C], new Float32Array(C).fill(1));
      this.add(`${name}.beta`, [C], new Float32Array(C));
    }
    return name;
  }

  /** A kh×kw convolution filter [kh, kw, cin, cout] (conv_7x1_1x7's 1×7 and 7×1), initialised as `conv`. */
  convRect(name: string, kh: number, kw: number, cin: number, cout: number): string {
    return this.add(name, [kh, kw, cin, cout], this.uniform(kh * kw * cin * cout, kh * kw * cin));
  }

  /**
   * Glorot/Xavier uniform (Glorot & Bengio, 2010; Keras's default kernel initialiser): U(±√(6/(fan_in + fan_out)))
   * with Keras's fans: for a kernel [..., in, out] the receptive field (the leading dimensions' product)
   * times `in` and times `out` (a depthwise kernel [k, k, C, 1]: k·k·C and k·k).
   */
  glorot(name: string, shape: number[]): string {
    const receptive = shape.slice(0, -2).reduce((p, d) => p * d, 1);
    const [fanIn, fanOut] = [shape[shape.length - 2] * receptive, shape[shape.length - 1] * receptive];
    const bound = Math.sqrt(6 / (fanIn + fanOut));
    const v = new Float32Array(shape.reduce((p, d) => p * d, 1));
    for (let i = 0; i < v.length; i++) v[i] = (2 * this.rng.next() - 1) * bound;
    return this.add(name, shape, v);
  }

  /** A parameter of zeros (Keras's default bias). */
  zeros(name: string, shape: number[]): string {
    return this.add(name, shape, new Float32Array(shape.reduce((p, d) => p * d, 1)));
  }

  /** Trainable parameter count (what PyTorch's count_parameters reports). */
  count(): number {
    return Object.values(this.params).reduce((s, v) => s + v.size, 0);
  }
}

/**
 * BatchNorm2d with PyTorch semantics: batch statistics (biased variance) when training, running
 * statistics otherwise; affine γ/β only when the layer has them.
 */
export function batchNorm(name: string, affine: boolean): Apply {
  return (x, ctx) => {
    const gamma = affine ? (ctx.w[`${name}.gamma`] as tf.Tensor1D) : undefined;
    const beta = affine ? (ctx.w[`${name}.beta`] as tf.Tensor1D) : undefined;
    if (!ctx.training) {
      return tf.batchNorm4d(x, ctx.buffers[`${name}/mean`] as tf.Tensor1D, ctx.buffers[`${name}/var`] as tf.Tensor1D, beta, gamma, BN_EPS);
    }
    const { y, mean, variance } = batchNormTrain(x, gamma, beta);
    if (ctx.bnUpdates) {
      const [n, h, w] = x.shape;
      ctx.bnUpdates.push({ name, mean, variance, count: n * h * w });
    } else {
      tf.dispose([mean, variance]);
    }
    return y;
  };
}

/** Runs ops one after another. */
export function sequence(...fs: Apply[]): Apply {
  return (x, ctx) => fs.reduce((h, f) => f(h, ctx), x);
}

export const relu: Apply = (x) => tf.relu(x);
