/**
 * Several runs on one page: the curves of runs of one kind overlaid, grouped by configuration so
 * that runs differing only in their seed become one series, drawn as mean ± std over the seeds;
 * and the output folder of `tfnas bench nb201` (its mean ± std curves, per-run results and table).
 */
import { bandChart, type BandChartOptions, type Datum, preAggregatedBandChart, stripChart } from './charts';
import { esc, figure, grid, table } from './page';
import type { BenchRunData, CsvRow, Json, RunData, RunKind } from './runs';
import { renderChart } from './vega';

/** The settings that identify a configuration (everything but the seed and where it was written). */
export function configOf(run: RunData): Json {
  const drop = new Set(['seed', 'runDir', 'resume', 'out', 'started', 'resumed']);
  const pick = (o: unknown) => Object.fromEntries(Object.entries((o ?? {}) as Json).filter(([k]) => !drop.has(k)));
  if (run.kind === 'search') return pick((run.info as Json | null)?.config);
  if (run.kind === 'train') return pick((run.info as Json | null)?.options);
  if (run.kind === 'blackbox') return pick(run.identity ?? { strategy: run.best?.strategy, space: run.best?.space, evaluator: run.best?.evaluator });
  return {};
}

export interface Group {
  label: string;
  runs: { run: RunData; label: string }[];
}

const show = (v: unknown) => {
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s.length > 40 ? `${s.slice(0, 37)}…` : s;
};

/** Runs grouped by configuration; each group is named by the settings in which the groups differ. */
export function groupRuns(runs: { run: RunData; label: string }[]): Group[] {
  const groups = new Map<string, Group & { config: Json }>();
  for (const r of runs) {
    const config = configOf(r.run);
    const key = JSON.stringify(Object.entries(config).sort(([a], [b]) => a.localeCompare(b)));
    const g = groups.get(key) ?? { label: '', runs: [], config };
    g.runs.push(r);
    groups.set(key, g);
  }
  const all = [...groups.values()];
  const keys = [...new Set(all.flatMap((g) => Object.keys(g.config)))];
  const differing = keys.filter((k) => new Set(all.map((g) => JSON.stringify(g.config[k]))).size > 1);
  for (const g of all) {
    const name = differing.map((k) => `${k} ${show(g.config[k])}`).join(', ') || 'one configuration';
    g.label = `${name} (${g.runs.length} run${g.runs.length > 1 ? 's' : ''})`;
  }
  return all.map(({ label, runs: members }) => ({ label, runs: members }));
}

interface Measure {
  title: string;
  yTitle: string;
  x: string;
  xTitle: string;
  /** The value of a log row, or null. */
  value: (r: CsvRow) => number | null;
  rows: (run: RunData) => CsvRow[];
}

const num = (s: string | undefined) => (s === undefined || s === '' || !Number.isFinite(Number(s)) ? null : Number(s));
const logRows = (run: RunData) => (run.kind === 'search' || run.kind === 'train' ? run.log : []);
const epochX = (r: CsvRow) => Number(r.epoch) + 1;

const MEASURES: Partial<Record<RunKind, Measure[]>> = {
  search: [
    { title: 'valid accuracy (architecture part)', yTitle: 'top-1 accuracy (%)', x: 'epoch', xTitle: 'epoch', value: (r) => (num(r.valid_acc) === null ? null : 100 * Number(r.valid_acc)), rows: logRows },
    { title: 'train loss (weights part)', yTitle: 'cross-entropy loss (nats)', x: 'epoch', xTitle: 'epoch', value: (r) => num(r.train_loss), rows: logRows },
    { title: 'NAS-Bench-201 200-epoch test accuracy of the derived cell', yTitle: 'benchmark accuracy (%)', x: 'epoch', xTitle: 'epoch', value: (r) => num(r.nb201_test_200ep), rows: logRows },
  ],
  train: [
    { title: 'test-split accuracy', yTitle: 'top-1 accuracy (%)', x: 'epoch', xTitle: 'epoch', value: (r) => (num(r.valid_acc) === null ? null : 100 * Number(r.valid_acc)), rows: logRows },
    { title: 'train loss', yTitle: 'cross-entropy loss (nats)', x: 'epoch', xTitle: 'epoch', value: (r) => num(r.train_loss), rows: logRows },
  ],
  blackbox: [
    { title: 'best so far: test accuracy', yTitle: 'test accuracy of the best by signal (%)', x: 'query', xTitle: 'queries (architectures evaluated)', value: (r) => num(r.best_test_accuracy), rows: (run) => (run.kind === 'blackbox' ? run.history : []) },
    { title: 'best so far: search signal', yTitle: 'best search signal (%)', x: 'query', xTitle: 'queries (architectures evaluated)', value: (r) => num(r.best_signal), rows: (run) => (run.kind === 'blackbox' ? run.history : []) },
  ],
};

function measureValues(groups: Group[], m: Measure): Datum[] {
  return groups.flatMap((g) =>
    g.runs.flatMap(({ run, label }) =>
      m.rows(run).flatMap((r) => {
        const v = m.value(r);
        return v === null ? [] : [{ x: m.x === 'epoch' ? epochX(r) : Number(r.query), y: v, series: g.label, run: label }];
      }),
    ),
  );
}

/** Overlaid curves of the runs of one kind (nothing for fewer than two runs). */
export async function compareCharts(kind: RunKind, runs: { run: RunData; label: string }[]): Promise<string[]> {
  if (runs.length < 2) return [];
  const groups = groupRuns(runs);
  const out: string[] = [];
  for (const m of MEASURES[kind] ?? []) {
    const values = measureValues(groups, m);
    if (values.length === 0) continue;
    const o: BandChartOptions = { title: m.title, values, x: 'x', y: 'y', xTitle: m.xTitle, yTitle: m.yTitle, series: 'series', run: 'run', seriesOrder: groups.map((g) => g.label) };
    out.push(await renderChart(bandChart(o)));
  }
  return out;
}

export const BAND_CAPTION = 'Thin lines: single runs. Thick lines: mean over the runs of one configuration (differing only in seed); band: ± one sample standard deviation where at least two runs have a value.';

/** The output folder of `tfnas bench nb201`: mean ± std anytime curves, per-run results, the table. */
export async function benchSection(run: BenchRunData, label: string): Promise<string> {
  const curves = run.curves.map((r) => {
    const mean = Number(r.mean_best_test_accuracy);
    const std = Number(r.std);
    return { query: Number(r.query), mean, lower: mean - std, upper: mean + std, strategy: r.strategy };
  });
  const order = [...new Set(curves.map((c) => c.strategy))];
  const charts = [
    await renderChart(preAggregatedBandChart({ title: 'anytime curve: mean best test accuracy over the runs', values: curves, x: 'query', y: 'mean', lower: 'lower', upper: 'upper', xTitle: 'queries (table look-ups)', yTitle: 'NAS-Bench-201 200-epoch test accuracy (%)', series: 'strategy', seriesOrder: order })),
  ];
  const results = run.runs.map((r) => ({ strategy: r.strategy, test: Number(r.test_accuracy) }));
  if (results.length > 0) charts.push(await renderChart(stripChart({ title: 'final test accuracy of each run', values: results, category: 'strategy', value: 'test', categoryTitle: 'strategy', valueTitle: 'test accuracy of the returned cell (%)' })));
  const columns = run.table.length ? Object.keys(run.table[0]) : [];
  const rows = run.table.map((r) => Object.fromEntries(columns.map((c) => [c, num(r[c]) ?? r[c]])));
  return [
    `<section class="run bench"><h2>Benchmark of the black-box searchers on NAS-Bench-201: ${esc(label)}</h2>`,
    grid([figure(charts[0], 'Band: ± one standard deviation over the runs (seeds).'), ...charts.slice(1).map((c) => figure(c, 'Box: minimum to maximum and quartiles; points: single runs.'))]),
    table(columns, rows),
    '</section>',
  ].join('\n');
}
