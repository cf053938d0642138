import * as tf from '@tensorflow/tfjs';
import type { NetworkConfig } from '../../nets/network';
import { applyBnUpdates } from '../../ops/context';
import type { DropPathState } from '../../ops/drop-path';
import type { DartsGenotype } from '../../space/genotype-types';
import { disposeAll } from '../checkpoint';
import { clipByGlobalNorm } from '../optim';
import { batchGradients } from '../retrain-step';
import { StepOptions, Trainer } from '../retrain-trainer';
import type { Exchange } from './shared';
import { syncBn } from './sync';
import type { Replica } from './types';

/**
 * A replica of a retraining (`tfnas train --workers N`, see retrain-parallel.ts) in a worker
 * thread: its own network and SGD state. Each step computes its shard's gradients of the mean loss,
 * scales them by the shard's share of the batch and sums them over the replicas, so every replica
 * takes the whole batch's clipped SGD step, bit-identically.
 */
export interface RetrainReplicaConfig {
  genotype: DartsGenotype;
  cfg: NetworkConfig;
  step: StepOptions;
}

export interface ReplicaStepArgs {
  lr: number;
  share: number;
  dropPath: DropPathState;
}

const LOSS = '#loss';

export function createReplica(config: unknown, exchange: Exchange): Replica {
  const { genotype, cfg, step } = config as RetrainReplicaConfig;
  const trainer = new Trainer(genotype, cfg, step);
  return {
    call(cmd, args, inputs) {
      if (cmd !== 'step') throw new Error(`retraining replica: unknown command ${cmd}`);
      return stepShard(trainer, step, exchange, args as ReplicaStepArgs, inputs.x as tf.Tensor4D, inputs.y);
    },
    getState: () => ({ tensors: trainer.stateTensors(), meta: null }),
    setState: (tensors) => trainer.loadState(tensors),
  };
}

/** One synchronous data-parallel SGD step (worker threads on wasm/cpu read their own memory). */
function stepShard(trainer: Trainer, o: StepOptions, exchange: Exchange, a: ReplicaStepArgs, x: tf.Tensor4D, y: tf.Tensor): { loss: number; correct: number } {
  const r = batchGradients(trainer.net, x, y, { auxWeight: o.auxWeight, recompute: o.recompute ?? 'cells', dropPath: a.dropPath });
  let summed: Record<string, tf.Tensor> = {};
  try {
    const scaled = tf.tidy(() => {
      const out: Record<string, tf.Tensor> = { [LOSS]: tf.mul(r.loss, a.share) };
      for (const [n, g] of Object.entries(r.grads)) out[n] = tf.mul(g, a.share);
      return out;
    });
    summed = exchange.sum(scaled);
    disposeAll(scaled);
    const bn = syncBn(exchange, r.bnUpdates);
    const loss = summed[LOSS].dataSync()[0];
    const correct = a.share > 0 ? r.correct.dataSync()[0] : 0;
    // Every replica holds the same sum: all skip the update together, and the caller reports it.
    if (!Number.isFinite(loss)) {
      tf.dispose(bn.flatMap((u) => [u.mean, u.variance]));
      return { loss, correct };
    }
    applyBnUpdates(trainer.net.buffers, bn);
    tf.dispose(bn.flatMap((u) => [u.mean, u.variance]));
    const { [LOSS]: _loss, ...grads } = summed;
    if (o.gradClip > 0) {
      const { grads: clipped, norm } = clipByGlobalNorm(grads, o.gradClip);
      trainer.optimizer.step(clipped, a.lr);
      disposeAll(clipped);
      norm.dispose();
    } else trainer.optimizer.step(grads, a.lr);
    return { loss, correct };
  } finally {
    tf.dispose([r.loss, r.correct]);
    disposeAll(r.grads);
    disposeAll(summed);
  }
}
