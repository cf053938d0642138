/**
 * The encoder–predictor–decoder of Neural Architecture Optimization (Luo et al., NeurIPS 2018,
 * §3; details as in the reference code renqianluo/NAO, `encoder.py`, `decoder.py`,
 * `controller.py`), trained jointly on (token sequence, score ∈ [0, 1]) pairs:
 * - encoder: token embedding → single-layer LSTM; each output is L2-normalised and the
 *   architecture embedding e_x is the L2-normalised mean of the outputs;
 * - predictor f: an MLP (ReLU) on e_x with a sigmoid output;
 * - decoder: an LSTM whose state starts at (e_x, e_x), with dot-product attention over the
 *   encoder outputs (output = tanh(W[context; h])), teacher forcing in training and greedy
 *   decoding at inference. Each position's logits are masked to that position's vocabulary
 *   (the reference restricts each step to the valid node/op range the same way).
 * Loss λ·MSE + (1−λ)·NLL with λ = 0.8 (reference `trade_off`). Weights start uniform in ±0.1 as
 * in the reference, drawn from a seeded `Rng` so a fit is a pure function of (data, seed).
 * Defaults are smaller than the reference's (NAO-WS `train_search.sh`: embedding 48, hidden 96,
 * MLP 3×100, Adam lr 0.001 for 1000 epochs of minibatches): one fit per searcher round must take
 * seconds on wasm/cpu (hidden 96 is ~4.5× slower per step than 32 here), and the training sets are
 * ≤ a few hundred sequences, fit full-batch; they still reconstruct their training set exactly
 * (see the test). Dropout, weight decay and gradient clipping of the reference are left out.
 * LSTM cells are plain matMul gates: the sequences are short (6 tokens for NAS-Bench-201, 32 for
 * DARTS). Tokens are embedded per position (row p·width + t), so the model needs no shared
 * vocabulary across position kinds (inputs vs ops in DARTS).
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../space/rng';

export const NAO_MODEL_DEFAULTS = { embedding: 16, hidden: 32, mlpLayers: 2, mlpHidden: 32, tradeOff: 0.8, steps: 100, lr: 0.01 };
export type NaoModelConfig = typeof NAO_MODEL_DEFAULTS;

/** η values decoded per batched decoder pass in `walk`. */
const WALK_CHUNK = 10;

type Dense = { w: tf.Variable; b: tf.Variable };

/** x / ‖x‖₂ along the last axis. */
function l2Normalize<T extends tf.Tensor>(x: T): T {
  return tf.div(x, tf.sqrt(tf.add(tf.sum(tf.square(x), -1, true), 1e-12))) as T;
}

/**
 * Embedding rows of `ids` [N, L] → [N, L, E], as a one-hot matMul: the gradient of gather needs
 * UnsortedSegmentSum, which the wasm backend lacks.
 */
function embed(table: tf.Tensor2D, ids: tf.Tensor2D): tf.Tensor3D {
  const [n, l] = ids.shape;
  const oh = tf.oneHot(tf.reshape(ids, [-1]) as tf.Tensor1D, table.shape[0]);
  return tf.reshape(tf.matMul(oh, table), [n, l, table.shape[1]]);
}

function dense(x: tf.Tensor, l: Dense): tf.Tensor2D {
  return tf.add(tf.matMul(x as tf.Tensor2D, l.w as tf.Tensor2D), l.b) as tf.Tensor2D;
}

/** One LSTM step (gates i, f, g, o from one matMul of [x; h]). */
function lstmStep(cell: Dense, x: tf.Tensor2D, h: tf.Tensor2D, c: tf.Tensor2D): [tf.Tensor2D, tf.Tensor2D] {
  const [i, f, g, o] = tf.split(dense(tf.concat([x, h], 1), cell), 4, 1);
  const c2 = tf.add(tf.mul(tf.sigmoid(f), c), tf.mul(tf.sigmoid(i), tf.tanh(g))) as tf.Tensor2D;
  return [tf.mul(tf.sigmoid(o), tf.tanh(c2)) as tf.Tensor2D, c2];
}

interface Encoded {
  /** L2-normalised encoder outputs [N, positions, hidden]. */
  outputs: tf.Tensor3D;
  /** e_x [N, hidden]. */
  emb: tf.Tensor2D;
}

export class NaoModel {
  private readonly positions: number;
  private readonly width: number;
  /** Per position: 0 for real tokens, -1e9 for the slots past that position's vocabulary. */
  private readonly masks: tf.Tensor2D[];
  private readonly vars: tf.Variable[] = [];
  private readonly encEmb: tf.Variable;
  private readonly decEmb: tf.Variable;
  private readonly encCell: Dense;
  private readonly decCell: Dense;
  private readonly attn: Dense;
  private readonly out: Dense;
  private readonly mlp: Dense[];

  constructor(readonly vocab: readonly number[], seed: number, readonly cfg: NaoModelConfig = NAO_MODEL_DEFAULTS) {
    this.positions = vocab.length;
    this.width = Math.max(...vocab);
    this.masks = vocab.map((v) => tf.tensor2d(Array.from({ length: this.width }, (_, i) => (i < v ? 0 : -1e9)), [1, this.width]));
    const rng = new Rng(seed);
    const { embedding: e, hidden: h, mlpHidden } = cfg;
    const rows = this.positions * this.width;
    this.encEmb = this.uniform(rng, [rows, e]);
    // One extra row: the start-of-sequence input of the decoder's first step.
    this.decEmb = this.uniform(rng, [rows + 1, e]);
    this.encCell = this.layer(rng, e + h, 4 * h);
    this.decCell = this.layer(rng, e + h, 4 * h);
    this.attn = this.layer(rng, 2 * h, h);
    this.out = this.layer(rng, h, this.width);
    const dims = [h, ...new Array<number>(cfg.mlpLayers).fill(mlpHidden), 1];
    this.mlp = dims.slice(1).map((d, l) => this.layer(rng, dims[l], d));
  }

  /** A variable with values uniform in ±0.1 (the reference's initializer). */
  private uniform(rng: Rng, shape: number[]): tf.Variable {
    const data = Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => (rng.next() * 2 - 1) * 0.1);
    const t = tf.tensor(data, shape);
    const v = tf.variable(t);
    t.dispose();
    this.vars.push(v);
    return v;
  }

  private layer(rng: Rng, a: number, b: number): Dense {
    return { w: this.uniform(rng, [a, b]), b: this.uniform(rng, [b]) };
  }

  /** Encoder input rows [N, positions] (position-specific embedding rows). */
  private encoderIds(seqs: number[][]): tf.Tensor2D {
    return tf.tensor2d(seqs.map((s) => s.map((t, p) => p * this.width + t)), [seqs.length, this.positions], 'int32');
  }

  /** Teacher-forcing decoder input rows: start token, then the previous position's token. */
  private decoderIds(seqs: number[][]): tf.Tensor2D {
    const sos = this.positions * this.width;
    const ids = seqs.map((s) => s.map((_, p) => (p === 0 ? sos : (p - 1) * this.width + s[p - 1])));
    return tf.tensor2d(ids, [seqs.length, this.positions], 'int32');
  }

  private encode(ids: tf.Tensor2D): Encoded {
    const n = ids.shape[0];
    const xs = tf.unstack(embed(this.encEmb as tf.Tensor2D, ids), 1) as tf.Tensor2D[];
    let h = tf.zeros([n, this.cfg.hidden]) as tf.Tensor2D;
    let c = h;
    const outs: tf.Tensor2D[] = [];
    for (const x of xs) {
      [h, c] = lstmStep(this.encCell, x, h, c);
      outs.push(h);
    }
    const outputs = l2Normalize(tf.stack(outs, 1) as tf.Tensor3D);
    return { outputs, emb: this.embedding(outputs) };
  }

  /** e_x from (normalised) encoder outputs. */
  private embedding(outputs: tf.Tensor3D): tf.Tensor2D {
    return l2Normalize(tf.mean(outputs, 1) as tf.Tensor2D);
  }

  private predict(emb: tf.Tensor2D): tf.Tensor1D {
    let x: tf.Tensor2D = emb;
    this.mlp.forEach((l, i) => (x = i + 1 < this.mlp.length ? tf.relu(dense(x, l)) : dense(x, l)));
    return tf.sigmoid(x).reshape([-1]) as tf.Tensor1D;
  }

  /** One decoder step: masked log-probabilities [N, width] of position `p`, and the new state. */
  private decodeStep(x: tf.Tensor2D, h: tf.Tensor2D, c: tf.Tensor2D, enc: tf.Tensor3D, p: number): tf.Tensor2D[] {
    const [h2, c2] = lstmStep(this.decCell, x, h, c);
    const weights = tf.softmax(tf.squeeze(tf.matMul(enc, tf.expandDims(h2, 2)), [2]));
    const context = tf.squeeze(tf.matMul(tf.expandDims(weights, 1), enc), [1]);
    const o = tf.tanh(dense(tf.concat([context, h2], 1), this.attn));
    return [tf.logSoftmax(tf.add(dense(o, this.out), this.masks[p])) as tf.Tensor2D, h2, c2];
  }

  /** Teacher-forced log-probabilities [N, positions, width]. */
  private decodeForced(e: Encoded, decIds: tf.Tensor2D): tf.Tensor3D {
    const xs = tf.unstack(embed(this.decEmb as tf.Tensor2D, decIds), 1) as tf.Tensor2D[];
    let [h, c] = [e.emb, e.emb];
    const logps: tf.Tensor2D[] = [];
    xs.forEach((x, p) => {
      let lp: tf.Tensor2D;
      [lp, h, c] = this.decodeStep(x, h, c, e.outputs, p);
      logps.push(lp);
    });
    return tf.stack(logps, 1) as tf.Tensor3D;
  }

  /** Greedy decoding: each step feeds back its argmax token; returns the log-probabilities. */
  private decodeGreedy(e: Encoded): tf.Tensor3D {
    const n = e.emb.shape[0];
    let ids = tf.fill([n], this.positions * this.width, 'int32') as tf.Tensor1D;
    let [h, c] = [e.emb, e.emb];
    const logps: tf.Tensor2D[] = [];
    for (let p = 0; p < this.positions; p++) {
      let lp: tf.Tensor2D;
      [lp, h, c] = this.decodeStep(tf.gather(this.decEmb, ids) as tf.Tensor2D, h, c, e.outputs, p);
      logps.push(lp);
      ids = tf.add(tf.argMax(lp, 1), tf.scalar(p * this.width, 'int32')) as tf.Tensor1D;
    }
    return tf.stack(logps, 1) as tf.Tensor3D;
  }

  /** Joint full-batch training on all (sequence, score in [0,1]) pairs; returns the last loss. */
  async fit(seqs: number[][], y01: number[]): Promise<number> {
    const optimizer = tf.train.adam(this.cfg.lr);
    const encIds = this.encoderIds(seqs);
    const decIds = this.decoderIds(seqs);
    const target = tf.tidy(() => tf.oneHot(tf.tensor2d(seqs, undefined, 'int32'), this.width));
    const y = tf.tensor1d(y01);
    const lam = this.cfg.tradeOff;
    let last = NaN;
    try {
      for (let s = 0; s < this.cfg.steps; s++) {
        const loss = optimizer.minimize(() => {
          const e = this.encode(encIds);
          const mse = tf.mean(tf.squaredDifference(this.predict(e.emb), y));
          const nll = tf.div(tf.neg(tf.mean(tf.sum(tf.mul(this.decodeForced(e, decIds), target), [1, 2]))), this.positions);
          return tf.add(tf.mul(lam, mse), tf.mul(1 - lam, nll)) as tf.Scalar;
        }, s + 1 === this.cfg.steps, this.vars);
        if (loss) {
          last = (await loss.data())[0];
          loss.dispose();
        }
      }
    } finally {
      for (const t of [encIds, decIds, target, y]) t.dispose();
      optimizer.dispose();
    }
    return last;
  }

  /**
   * NAO's search step (reference `infer`): the gradient of f with respect to the encoder outputs,
   * outputs + η·gradient renormalised, e_x recomputed from them (so e_x moves along ∂f/∂e_x), and
   * greedy decoding with attention over the moved outputs. η = `etas[0]`, `etas[1]`, … for the
   * sequences `accept` has not yet accepted; `accept(n, logp)` sees sequence n's decoded
   * per-position log-probabilities ([positions][width]) and says whether n is done.
   */
  async walk(seqs: number[][], etas: readonly number[], accept: (n: number, logp: number[][]) => boolean): Promise<void> {
    if (seqs.length === 0) return;
    const [outs, grad] = tf.tidy(() => {
      const e = this.encode(this.encoderIds(seqs));
      const g = tf.grad((o: tf.Tensor) => tf.sum(this.predict(this.embedding(o as tf.Tensor3D))))(e.outputs);
      return [e.outputs, g];
    });
    let open = seqs.map((_, i) => i);
    try {
      // Several η per decoder pass (rows η-major): op overhead, not arithmetic, bounds its cost.
      for (let at = 0; at < etas.length && open.length > 0; at += WALK_CHUNK) {
        const chunk = etas.slice(at, at + WALK_CHUNK);
        const decoded = open;
        const rows = await this.decodeMoved(outs, grad as tf.Tensor3D, decoded, chunk);
        const done = new Set<number>();
        for (let k = 0; k < chunk.length; k++) {
          decoded.forEach((n, j) => {
            if (!done.has(n) && accept(n, rows[k * decoded.length + j])) done.add(n);
          });
        }
        open = decoded.filter((n) => !done.has(n));
      }
    } finally {
      outs.dispose();
      grad.dispose();
    }
  }

  /** Greedy decodings for outputs[open] + η·grad[open], for each η of `etas` (η-major rows). */
  private async decodeMoved(outs: tf.Tensor3D, grad: tf.Tensor3D, open: number[], etas: number[]): Promise<number[][][]> {
    const logp = tf.tidy(() => {
      const idx = tf.tensor1d(open, 'int32');
      const [o, g] = [tf.gather(outs, idx), tf.gather(grad, idx)];
      const moved = l2Normalize(tf.concat(etas.map((eta) => tf.add(o, tf.mul(g, eta))), 0) as tf.Tensor3D);
      return this.decodeGreedy({ outputs: moved, emb: this.embedding(moved) });
    });
    const rows = await logp.array();
    logp.dispose();
    return rows;
  }

  /** f(e_x) and f(e_x') after one step of size η along the gradient (reference `infer`), per sequence. */
  async stepScores(seqs: number[][], eta: number): Promise<{ before: number[]; after: number[] }> {
    const [b, a] = tf.tidy(() => {
      const e = this.encode(this.encoderIds(seqs));
      const f = (o: tf.Tensor) => this.predict(this.embedding(o as tf.Tensor3D));
      const g = tf.grad((o: tf.Tensor) => tf.sum(f(o)))(e.outputs);
      return [f(e.outputs), f(l2Normalize(tf.add(e.outputs, tf.mul(g, eta))))];
    });
    const out = { before: Array.from(await b.data()), after: Array.from(await a.data()) };
    b.dispose();
    a.dispose();
    return out;
  }

  /** Greedy reconstruction (token per position) of each sequence, without a gradient step. */
  async reconstruct(seqs: number[][]): Promise<number[][]> {
    const am = tf.tidy(() => tf.argMax(this.decodeGreedy(this.encode(this.encoderIds(seqs))), 2));
    const out = (await am.array()) as number[][];
    am.dispose();
    return out;
  }

  /** Predicted score in (0, 1) for each sequence. */
  async score(seqs: number[][]): Promise<number[]> {
    if (seqs.length === 0) return [];
    const p = tf.tidy(() => this.predict(this.encode(this.encoderIds(seqs)).emb));
    const v = Array.from(await p.data());
    p.dispose();
    return v;
  }

  dispose(): void {
    for (const t of [...this.masks, ...this.vars]) t.dispose();
  }
}
