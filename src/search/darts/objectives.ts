import * as tf from '@tensorflow/tfjs';
import type { Weights } from '../../ops/context';
import type { ArchObjective } from './architect';
import { DartsConfig, scheduleAt } from './config';

/**
 * The regularisers of the architecture objective (DartsArchitect.objectives), on the α matrices
 * named (edge-normalisation β are not regularised):
 *
 * - Beta-decay (β-DARTS, Ye et al. CVPR 2022, eq. 9): + λ·mean over edges of logsumexp(α_edge);
 *   its gradient is λ·softmax(α_edge)/edges, which pulls the large α down toward the others.
 * - Entropy: + w·mean over edges of H(softmax(α_edge)); w < 0 rewards spread weights
 *   (exploration), w > 0 pushes toward one-hot edges (DARTS-AER, DA²S).
 */
export function betaDecayTerm(lambda: number, names: readonly string[]): ArchObjective {
  return (loss, a) => tf.add(loss, tf.mul(lambda, meanOverEdges(a, names, (x) => tf.logSumExp(x, -1)))) as tf.Scalar;
}

export function entropyTerm(weight: number, names: readonly string[]): ArchObjective {
  return (loss, a) =>
    tf.add(loss, tf.mul(weight, meanOverEdges(a, names, (x) => tf.neg(tf.sum(tf.mul(tf.softmax(x, -1), tf.logSoftmax(x, -1)), -1))))) as tf.Scalar;
}

/** The mean of a per-edge value over every edge of every named α matrix. */
function meanOverEdges(a: Weights, names: readonly string[], perEdge: (alpha: tf.Tensor) => tf.Tensor): tf.Scalar {
  return tf.mean(tf.concat(names.map((n) => tf.reshape(perEdge(a[n]), [-1])))) as tf.Scalar;
}

/** The objective terms of `epoch` under a configuration's schedules. */
export function methodObjectives(cfg: DartsConfig, epoch: number, names: readonly string[]): ArchObjective[] {
  const out: ArchObjective[] = [];
  if (cfg.betaDecay) out.push(betaDecayTerm(scheduleAt(cfg.betaDecay, epoch, cfg.epochs), names));
  if (cfg.entropyWeight) out.push(entropyTerm(scheduleAt(cfg.entropyWeight, epoch, cfg.epochs), names));
  return out;
}
