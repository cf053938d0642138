import * as tf from '@tensorflow/tfjs';
import type { DropPathState } from '../../ops/drop-path';
import type { DartsGenotype } from '../../space/genotype-types';
import type { NetworkConfig } from '../../nets/network';
import { shards } from './shards';
import type { StepOptions, StepResult, Trainer } from '../retrain-trainer';
import { assertFinite } from '../runner';
import { ReplicaPool } from './pool';
import type { ReplicaStepArgs, RetrainReplicaConfig } from './retrain-replica';

/**
 * A retraining over N worker threads (`tfnas train --workers N`, N ≥ 2): each batch is split into
 * contiguous shards, each replica (retrain-replica.ts) computes its shard's gradients, and the
 * replicas sum them, so that each takes the whole batch's SGD step. BatchNorm uses each shard's
 * statistics (as PyTorch's DataParallel); the running statistics are their average. The main
 * thread's Trainer holds the state between epochs: `push` before training, `pull` before the test
 * pass and the checkpoint, so that those are exactly as in one process.
 */
export class ParallelRetrain {
  private constructor(readonly pool: ReplicaPool) {}

  static async start(trainer: Trainer, genotype: DartsGenotype, cfg: NetworkConfig, step: StepOptions, backend: string, workers: number, batchSize: number): Promise<ParallelRetrain> {
    const size = (vars: Record<string, tf.Tensor>) => Object.values(vars).reduce((s, v) => s + v.size, 0);
    const [w, buf] = [size(trainer.net.weights), size(trainer.net.buffers)];
    const shard = Math.ceil(batchSize / workers);
    const [h, wd, c] = cfg.inputShape;
    const config: RetrainReplicaConfig = { genotype, cfg, step };
    const pool = await ReplicaPool.start({
      workers,
      module: require.resolve('./retrain-replica'),
      config,
      backend,
      // The largest exchange: every weight's gradient and the loss, or the BatchNorm statistics
      // (count-weighted mean and variance, and the counts, of every BatchNorm).
      slotFloats: Math.max(w + 1, 2 * buf) + 1024,
      inputFloats: shard * (h * wd * c + 1),
      stateFloats: 2 * w + buf + 1024,
    });
    return new ParallelRetrain(pool);
  }

  /** Every replica takes the main thread's weights, statistics and momentum. */
  async push(trainer: Trainer): Promise<void> {
    await this.pool.setState(trainer.stateTensors(), null);
  }

  /** The main thread takes the replicas' state (replica 0's; they are identical). */
  async pull(trainer: Trainer): Promise<void> {
    const { tensors } = await this.pool.getState();
    try {
      trainer.loadState(tensors, 'the replicas');
    } finally {
      tf.dispose(Object.values(tensors));
    }
  }

  /** One SGD step on the whole batch (`x`, `y` stay the caller's). */
  async step(x: tf.Tensor, y: tf.Tensor, lr: number, dropPath: DropPathState, epoch: number, stepIndex: number): Promise<StepResult> {
    const n = x.shape[0] as number;
    const s = shards(n, this.pool.size);
    const args = (r: number): ReplicaStepArgs => ({ lr, share: s[r].share, dropPath: { ...dropPath, epoch, step: stepIndex } });
    const inputs = (r: number) => tf.tidy(() => ({ x: tf.slice(x, s[r].begin, s[r].size), y: tf.slice(y, s[r].begin, s[r].size) }));
    const results = (await this.pool.call('step', args, inputs)) as { loss: number; correct: number }[];
    // Every replica returns the same summed loss; a non-finite one left the weights unchanged.
    const loss = results[0].loss;
    assertFinite('train_loss', loss, epoch, stepIndex);
    return { loss, correct: results.reduce((t, r) => t + r.correct, 0), n };
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
