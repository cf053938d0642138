import * as tf from '@tensorflow/tfjs';
import type { Batch } from '../data/loader';
import { toCsv } from '../io/csv';
import { writeFileAtomic } from '../io/atomic';

/** Per-class accuracy: of the test images whose true class is `index`, the share predicted right. */
export interface ClassAccuracy {
  index: number;
  name: string;
  total: number;
  correct: number;
  /** In [0, 1]; null when the split has no image of this class. */
  accuracy: number | null;
}

export interface EvalResult {
  count: number;
  /** Mean softmax cross-entropy. */
  loss: number;
  /** Top-1 accuracy in [0, 1]. */
  accuracy: number;
  perClass: ClassAccuracy[];
  /** confusion[true][predicted] = number of images. */
  confusion: number[][];
}

/** A layers model, or a function giving evaluation-mode logits (the functional network's `predict`). */
export type Predictor = tf.LayersModel | ((x: tf.Tensor4D) => tf.Tensor);

/** The logits of a model that may have several outputs (then the first is the logits). */
function logitsOf(model: Predictor, x: tf.Tensor): tf.Tensor {
  if (typeof model === 'function') return model(x as tf.Tensor4D);
  const out = model.apply(x, { training: false }) as tf.Tensor | tf.Tensor[];
  return Array.isArray(out) ? out[0] : out;
}

/**
 * Evaluates `model` (inference mode: BatchNorm running statistics, no drop-path) on `batches`,
 * disposing each batch. Only two small arrays per batch come back from the backend.
 */
export async function evaluate(model: Predictor, batches: Iterable<Batch>, numClasses: number, classNames?: string[]): Promise<EvalResult> {
  const confusion = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  let lossSum = 0;
  let count = 0;
  for (const b of batches) {
    try {
      const [pred, lossTotal] = tf.tidy(() => {
        const logits = logitsOf(model, b.x);
        const onehot = tf.oneHot(tf.cast(b.y, 'int32') as tf.Tensor1D, numClasses);
        const losses = tf.losses.softmaxCrossEntropy(onehot, logits, undefined, undefined, tf.Reduction.NONE);
        return [tf.argMax(logits, -1), tf.sum(losses)];
      });
      const [p, truth, total] = await Promise.all([pred.data(), b.y.data(), lossTotal.data()]);
      lossSum += total[0];
      pred.dispose();
      lossTotal.dispose();
      for (let i = 0; i < p.length; i++) confusion[truth[i]][p[i]] += 1;
      count += p.length;
    } finally {
      b.x.dispose();
      b.y.dispose();
    }
  }
  return summarise(confusion, lossSum, count, classNames);
}

function summarise(confusion: number[][], lossSum: number, count: number, classNames?: string[]): EvalResult {
  let correct = 0;
  const perClass = confusion.map((row, i) => {
    const total = row.reduce((a, b) => a + b, 0);
    correct += row[i];
    return { index: i, name: classNames?.[i] ?? `class${i}`, total, correct: row[i], accuracy: total > 0 ? row[i] / total : null };
  });
  return { count, loss: count > 0 ? lossSum / count : NaN, accuracy: count > 0 ? correct / count : NaN, perClass, confusion };
}

/** The confusion matrix as CSV: one row per true class, one column per predicted class. */
export function confusionCsv(r: EvalResult): string {
  const names = r.perClass.map((c) => c.name);
  const columns = ['true_class', ...names.map((n) => `pred_${n}`)];
  const rows = r.confusion.map((row, i) => {
    const out: Record<string, string | number> = { true_class: names[i] };
    row.forEach((v, j) => (out[`pred_${names[j]}`] = v));
    return out;
  });
  return toCsv(columns, rows);
}

export function writeConfusionCsv(file: string, r: EvalResult): void {
  writeFileAtomic(file, confusionCsv(r));
}
