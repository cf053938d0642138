import * as tf from '@tensorflow/tfjs';
import type { Recompute } from '../../ops/context';
import type { Exchange } from '../../train/parallel/shared';
import type { Replica } from '../../train/parallel/types';
import { DartsArchitect, StepResult, XY } from './architect';
import { buildSupernet } from './build';
import type { DartsConfig } from './config';
import { loadRunState, runState } from './state';

/**
 * A replica of a DARTS search in a worker thread (see parallel.ts): its own supernet and
 * architect, whose gradients go through the replicas' exchange, so that every replica takes the
 * same steps on the sum of the shards' gradients.
 */
export interface DartsReplicaConfig {
  cfg: DartsConfig;
  numClasses: number;
  inChannels: number;
  recompute: Recompute;
}

export function createReplica(config: unknown, exchange: Exchange): Replica {
  const { cfg, numClasses, inChannels, recompute } = config as DartsReplicaConfig;
  const net = buildSupernet(cfg, numClasses, inChannels);
  const arch = new DartsArchitect(net, { ...cfg, recompute });
  arch.sync = exchange;
  const figures = (r: StepResult, share: number): { loss: number; correct: number } => {
    const [loss, correct] = tf.tidy(() => tf.stack([r.loss, r.correct]).dataSync());
    tf.dispose([r.loss, r.correct]);
    return { loss, correct: share > 0 ? correct : 0 };
  };
  const xy = (inputs: Record<string, tf.Tensor>, p: string, share: number): XY => ({ x: inputs[`${p}x`] as tf.Tensor4D, y: inputs[`${p}y`] as tf.Tensor1D, share });
  return {
    call(cmd, args, inputs) {
      const a = args as { lr: number; shares: number[] };
      if (cmd === 'step') return figures(arch.step(xy(inputs, 't', a.shares[0]), xy(inputs, 'a', a.shares[1]), a.lr), a.shares[0]);
      if (cmd === 'evaluate') {
        const r = figures(arch.evaluate(xy(inputs, '', a.shares[0])), a.shares[0]);
        return { loss: r.loss * a.shares[0], correct: r.correct };
      }
      throw new Error(`DARTS replica: unknown command ${cmd}`);
    },
    getState() {
      const { tensors, adamSteps } = runState(net, arch);
      return { tensors, meta: adamSteps };
    },
    setState(tensors, meta) {
      loadRunState(net, arch, tensors, meta as number);
    },
  };
}
