import * as tf from '@tensorflow/tfjs';
import type { BatchLoader } from '../../data';
import { AverageMeter } from '../../train/metrics';
import { assertFinite, epochProgress } from '../../train/runner';
import type { StepResult, XY } from './architect';
import type { DartsConfig } from './config';

/** One search epoch's steps and the validation pass (train_search.py `train` and `infer`). */
export interface EpochFigures {
  loss: number;
  acc: number;
}

/** Reads a step's loss and correct count with one download. */
export async function readStep(r: StepResult): Promise<[number, number]> {
  const both = tf.stack([r.loss, r.correct]);
  const [loss, correct] = Array.from(await both.data());
  tf.dispose([both, r.loss, r.correct]);
  return [loss, correct];
}

/**
 * One weight step, after one architecture step unless `arch` is null (warm-up), as
 * [loss, correct count]: this thread's DartsArchitect or the data-parallel replicas'.
 */
export type Stepper = (train: XY, arch: XY | null, lr: number) => Promise<[number, number]>;
/** Eval-mode [loss, correct count] of one batch. */
export type Evaluator = (b: XY) => Promise<[number, number]>;

export async function trainEpoch(stepper: Stepper, weights: BatchLoader, archLoader: BatchLoader, lr: number, epoch: number, cfg: DartsConfig): Promise<EpochFigures> {
  const loss = new AverageMeter();
  const acc = new AverageMeter();
  const bar = epochProgress(`search ${epoch + 1}/${cfg.epochs}`, weights.batchesPerEpoch);
  let step = 0;
  try {
    for (const t of weights.epochBatches()) {
      // Warm-up epochs (PC-DARTS): α and β held fixed, weight steps only.
      const a = epoch >= cfg.warmupEpochs ? archLoader.next() : null;
      const n = t.y.shape[0];
      let l: number, c: number;
      try {
        [l, c] = await stepper(t, a, lr);
      } finally {
        tf.dispose([t.x, t.y, ...(a ? [a.x, a.y] : [])]);
      }
      assertFinite('train loss', l, epoch, step);
      loss.update(l, n);
      acc.update(c / n, n);
      step++;
      bar.update(step, { loss: loss.avg, acc: acc.avg });
    }
  } finally {
    bar.stop();
  }
  return { loss: round(loss.avg), acc: round(acc.avg) };
}

export async function evaluate(evaluator: Evaluator, loader: BatchLoader): Promise<EpochFigures> {
  const loss = new AverageMeter();
  const acc = new AverageMeter();
  loader.seek(0, 0);
  for (const b of loader.epochBatches()) {
    const n = b.y.shape[0];
    let l: number, c: number;
    try {
      [l, c] = await evaluator(b);
    } finally {
      tf.dispose([b.x, b.y]);
    }
    loss.update(l, n);
    acc.update(c / n, n);
  }
  return { loss: round(loss.avg), acc: round(acc.avg) };
}

export function round(v: number): number {
  return Number(v.toPrecision(6));
}
