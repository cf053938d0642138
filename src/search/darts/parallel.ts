import * as tf from '@tensorflow/tfjs';
import type { Supernet } from '../../nets/supernet';
import type { Recompute } from '../../ops/context';
import { ReplicaPool } from '../../train/parallel/pool';
import type { DartsArchitect, XY } from './architect';
import type { DartsConfig } from './config';
import type { DartsReplicaConfig } from './replica';
import { loadRunState, runState } from './state';
import { replicaBatch, shards, type Shard } from '../../train/parallel/shards';

export { replicaBatch, shards };

/**
 * A DARTS search over N worker threads (`--workers N`, N ≥ 2): every batch is split into N shards,
 * each replica (replica.ts) computes its shard's gradients and the replicas sum them — weights, α
 * and each phase of the second-order step — so each takes the same optimiser step. The main
 * thread's supernet and architect hold the run's state between epochs: `push` before training,
 * `pull` after, so that checkpoints, α logs and derivation are exactly as in one process.
 */
export class ParallelDarts {
  private constructor(readonly pool: ReplicaPool) {}

  static async start(cfg: DartsConfig, net: Supernet, numClasses: number, shape: readonly number[], backend: string, recompute: Recompute, workers: number): Promise<ParallelDarts> {
    const size = (vars: Record<string, tf.Variable>) => Object.values(vars).reduce((s, v) => s + v.size, 0);
    const [w, buf, alpha] = [size(net.weights), size(net.buffers), size(net.alphas)];
    const shard = Math.ceil(cfg.batchSize / workers);
    const config: DartsReplicaConfig = { cfg, numClasses, inChannels: shape[2], recompute };
    const pool = await ReplicaPool.start({
      workers,
      module: require.resolve('./replica'),
      config,
      backend,
      // The largest exchange: the second-order step's ∇(α, w′) of the validation loss, or the
      // BatchNorm statistics of its three training forwards and the α step (mean, var, counts).
      slotFloats: Math.max(w + alpha + 1, 4 * 2 * buf + 4 * buf) + 1024,
      inputFloats: 2 * shard * (shape[0] * shape[1] * shape[2] + 1),
      stateFloats: 2 * w + buf + 3 * alpha + 1024,
    });
    return new ParallelDarts(pool);
  }

  get workers(): number {
    return this.pool.size;
  }

  /** Every replica takes the main thread's state. */
  async push(net: Supernet, arch: DartsArchitect): Promise<void> {
    const { tensors, adamSteps } = runState(net, arch);
    await this.pool.setState(tensors, adamSteps);
  }

  /** The main thread takes the replicas' state (replica 1's; they are identical). */
  async pull(net: Supernet, arch: DartsArchitect): Promise<void> {
    const { tensors, meta } = await this.pool.getState();
    try {
      loadRunState(net, arch, tensors, meta as number);
    } finally {
      tf.dispose(Object.values(tensors));
    }
  }

  /** One architecture step and one weight step on the whole batches; [loss, correct count]. */
  async step(train: XY, arch: XY, lr: number): Promise<[number, number]> {
    const [ts, as] = [shards(train.y.shape[0], this.workers), shards(arch.y.shape[0], this.workers)];
    const results = await this.pool.call('step', (r) => ({ lr, shares: [ts[r].share, as[r].share] }), (r) => ({ ...slice(train, ts[r], 't'), ...slice(arch, as[r], 'a') }));
    return total(results);
  }

  /** Eval-mode loss (mean over the batch) and correct count. */
  async evaluate(b: XY): Promise<[number, number]> {
    const s = shards(b.y.shape[0], this.workers);
    return total(await this.pool.call('evaluate', (r) => ({ shares: [s[r].share] }), (r) => slice(b, s[r], '')));
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}


function slice(b: XY, s: Shard, prefix: string): Record<string, tf.Tensor> {
  return tf.tidy(() => ({ [`${prefix}x`]: tf.slice(b.x, s.begin, s.size), [`${prefix}y`]: tf.slice(b.y, s.begin, s.size) }));
}

/** The shards' figures summed in rank order. */
function total(results: unknown[]): [number, number] {
  let loss = 0;
  let correct = 0;
  for (const r of results as { loss: number; correct: number }[]) {
    loss += r.loss;
    correct += r.correct;
  }
  return [loss, correct];
}
