import * as tf from '@tensorflow/tfjs';
import type { BatchLoader } from '../../data';
import { AverageMeter } from '../../train/metrics';
import { assertFinite, epochProgress } from '../../train/runner';
import type { DartsArchitect, StepResult } from './architect';
import type { DartsConfig } from './config';

/** One search epoch's steps and the validation pass (train_search.py `train` and `infer`). */
export interface EpochFigures {
  loss: number;
  acc: number;
}

/** Reads a step's loss and correct count with one download. */
async function readStep(r: StepResult): Promise<[number, number]> {
  const both = tf.stack([r.loss, r.correct]);
  const [loss, correct] = Array.from(await both.data());
  tf.dispose([both, r.loss, r.correct]);
  return [loss, correct];
}

export async function trainEpoch(arch: DartsArchitect, weights: BatchLoader, archLoader: BatchLoader, lr: number, epoch: number, cfg: DartsConfig): Promise<EpochFigures> {
  const loss = new AverageMeter();
  const acc = new AverageMeter();
  const bar = epochProgress(`search ${epoch + 1}/${cfg.epochs}`, weights.batchesPerEpoch);
  let step = 0;
  try {
    for (const t of weights.epochBatches()) {
      // Warm-up epochs (PC-DARTS): α and β held fixed, weight steps only.
      const a = epoch >= cfg.warmupEpochs ? archLoader.next() : null;
      let r: StepResult;
      try {
        r = arch.step(t, a, lr);
      } finally {
        tf.dispose([t.x, t.y, ...(a ? [a.x, a.y] : [])]);
      }
      const n = t.y.shape[0];
      const [l, c] = await readStep(r);
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

export async function evaluate(arch: DartsArchitect, loader: BatchLoader): Promise<EpochFigures> {
  const loss = new AverageMeter();
  const acc = new AverageMeter();
  loader.seek(0, 0);
  for (const b of loader.epochBatches()) {
    let r: StepResult;
    try {
      r = arch.evaluate(b);
    } finally {
      tf.dispose([b.x, b.y]);
    }
    const n = b.y.shape[0];
    const [l, c] = await readStep(r);
    loss.update(l, n);
    acc.update(c / n, n);
  }
  return { loss: round(loss.avg), acc: round(acc.avg) };
}

export function round(v: number): number {
  return Number(v.toPrecision(6));
}
