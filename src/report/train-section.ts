/**
 * The report of a retraining run (`tfnas train`): loss/accuracy/learning-rate curves, per-class
 * test accuracy and the confusion matrix (metrics.json, confusion.csv, written when the run ends),
 * the cell that was trained, configuration and parameter counts.
 */
import { validateDartsGenotype } from '../space/genotype';
import { barChart, confusionChart, type Datum } from './charts';
import { epochCurves } from './curves';
import { cellFigure, esc, figure, formatCount, grid, settingsTable, summaryLine } from './page';
import type { Confusion, Json, TrainRunData } from './runs';
import { renderChart } from './vega';

/** Confusion rows {true, predicted, count, share}: share = % of the true class's images. */
export function confusionRows(c: Confusion): Datum[] {
  return c.counts.flatMap((row, i) => {
    const total = row.reduce((a, b) => a + b, 0);
    return row.map((count, j) => ({ true: c.classes[i], predicted: c.classes[j], count, share: total > 0 ? Number(((100 * count) / total).toFixed(2)) : 0 }));
  });
}

async function resultCharts(run: TrainRunData): Promise<string[]> {
  const out: string[] = [];
  const perClass = run.metrics?.per_class_accuracy as Record<string, number> | undefined;
  if (perClass) {
    const values = Object.entries(perClass).map(([name, acc]) => ({ class: name, accuracy: 100 * acc }));
    out.push(await renderChart(barChart({ title: 'per-class test accuracy', values, category: 'class', value: 'accuracy', categoryTitle: 'class', valueTitle: 'test accuracy (%)', domain: [0, 100] })));
  }
  if (run.confusion) {
    out.push(await renderChart(confusionChart({ title: 'confusion matrix (test split)', values: confusionRows(run.confusion), classes: run.confusion.classes })));
  }
  return out;
}

function trainedCell(options: Json): string {
  try {
    return cellFigure({ space: 'darts', genotype: validateDartsGenotype(options.genotype) }, `trained cell: ${String(options.genotypeName ?? '')}`);
  } catch {
    return '';
  }
}

/** The HTML section of one retraining run. */
export async function trainSection(run: TrainRunData, label: string): Promise<string> {
  const info = (run.info ?? {}) as Json;
  const options = (info.options ?? {}) as Json;
  const dataset = (info.dataset ?? {}) as Json;
  const m = run.metrics;
  const head = summaryLine([
    ['genotype', options.genotypeName],
    ['dataset', dataset.name],
    ['epochs', options.epochs !== undefined ? `${run.log.length} of ${options.epochs}` : run.log.length],
    ['weights without the auxiliary head', formatCount(info.params_without_auxiliary)],
    ['test accuracy', m ? `${(100 * Number(m.test_accuracy)).toFixed(2)}% on ${m.test_count} images` : 'after the last epoch'],
  ]);
  const curves = await epochCurves(run.log, { train: 'train', valid: 'test split' }, 'retraining');
  const results = await resultCharts(run);
  return [
    `<section class="run train"><h2>Retraining: ${esc(label)}</h2>`,
    head,
    run.log.length === 0 ? '<p class="note">No epoch has finished yet.</p>' : '',
    grid(curves.map((c) => figure(c))),
    results.length ? `<h3>Test results of the saved model</h3>${grid(results.map((c) => figure(c)))}` : '',
    grid([trainedCell(options)]),
    settingsTable('Configuration (config.json)', { ...info, options: { ...options, genotype: JSON.stringify(options.genotype) } }),
    '</section>',
  ].join('\n');
}
