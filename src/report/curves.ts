/**
 * Per-epoch curves shared by search and retraining reports: loss, accuracy (%) and learning rate
 * from log.csv (epochs are shown 1-based, as the runs print them; accuracies are stored as fractions).
 */
import { type Datum, lineChart } from './charts';
import type { CsvRow } from './runs';
import { renderChart } from './vega';

export interface SplitNames {
  train: string;
  valid: string;
}

const num = (s: string | undefined) => (s === undefined || s === '' ? null : Number(s));

/** Long-form rows {epoch, split, value} of a train_/valid_ column pair. */
export function splitRows(log: readonly CsvRow[], metric: 'loss' | 'acc', names: SplitNames, scale = 1): Datum[] {
  const out: Datum[] = [];
  for (const r of log) {
    for (const [split, name] of [['train', names.train], ['valid', names.valid]] as const) {
      const v = num(r[`${split}_${metric}`]);
      if (v !== null && Number.isFinite(v)) out.push({ epoch: Number(r.epoch) + 1, split: name, value: v * scale });
    }
  }
  return out;
}

/** Loss, accuracy and learning-rate charts of a log (empty when the log has no rows yet). */
export async function epochCurves(log: readonly CsvRow[], names: SplitNames, what: string): Promise<string[]> {
  if (log.length === 0) return [];
  const order = [names.train, names.valid];
  const loss = lineChart({ title: `${what}: loss`, values: splitRows(log, 'loss', names), x: 'epoch', y: 'value', xTitle: 'epoch', yTitle: 'cross-entropy loss (nats)', series: 'split', seriesOrder: order });
  const acc = lineChart({ title: `${what}: accuracy`, values: splitRows(log, 'acc', names, 100), x: 'epoch', y: 'value', xTitle: 'epoch', yTitle: 'top-1 accuracy (%)', series: 'split', seriesOrder: order });
  const lrValues = log.map((r) => ({ epoch: Number(r.epoch) + 1, lr: Number(r.lr) }));
  const lr = lineChart({ title: 'learning rate (weights, cosine schedule)', values: lrValues, x: 'epoch', y: 'lr', xTitle: 'epoch', yTitle: 'learning rate (per step)', width: 260, yDomain: [0, Math.max(...lrValues.map((v) => v.lr)) * 1.05] });
  return Promise.all([loss, acc, lr].map(renderChart));
}
