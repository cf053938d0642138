/**
 * The report of a DARTS-family search run (`tfnas search`, DARTS or NAS-Bench-201 space): curves,
 * softmax(α) per edge and op over the epochs, skip connections of the derived cell, the derived
 * cell at the end and wherever it changed, NAS-Bench-201 accuracies, configuration.
 */
import { alphaHeatmaps, type Datum, lineChart } from './charts';
import { epochCurves } from './curves';
import { type EpochCell, cellChanges, edgeName, epochCells, pickEvenly, skipCounts } from './genotypes';
import { cellFigure, esc, figure, formatCount, grid, settingsTable, summaryLine, table } from './page';
import type { CsvRow, SearchRunData } from './runs';
import { renderChart } from './vega';

/** Above this many epochs the α heatmaps show means over blocks of epochs (page size stays bounded). */
export const MAX_HEATMAP_COLUMNS = 100;
const CELL_TITLES: Record<string, string> = { normal: 'normal cell', reduce: 'reduction cell', cell: 'cell' };

/** Heatmap rows of one cell type: {edge, op, x0, x1, weight}, epochs averaged in blocks when there are many. */
export function alphaBlocks(alphas: readonly CsvRow[], cell: string, space: string, maxColumns = MAX_HEATMAP_COLUMNS): { values: Datum[]; block: number } {
  const rows = alphas.filter((r) => r.cell === cell);
  const epochs = new Set(rows.map((r) => r.epoch)).size;
  const block = Math.max(1, Math.ceil(epochs / maxColumns));
  const sums = new Map<string, { edge: string; op: string; b: number; sum: number; n: number }>();
  for (const r of rows) {
    const b = Math.floor(Number(r.epoch) / block);
    const key = `${r.edge}|${r.op}|${b}`;
    const s = sums.get(key) ?? { edge: edgeName(space, r.edge), op: r.op, b, sum: 0, n: 0 };
    s.sum += Number(r.weight);
    s.n++;
    sums.set(key, s);
  }
  // Epoch e (0-based) is drawn as the interval [e + 0.5, e + 1.5] around its 1-based number.
  const values = [...sums.values()].map((s) => ({ edge: s.edge, op: s.op, x0: s.b * block + 0.5, x1: (s.b + 1) * block + 0.5, weight: Number((s.sum / s.n).toPrecision(4)) }));
  return { values, block };
}

/** Distinct values of a column in first-seen order. */
const ordered = (rows: readonly CsvRow[], col: string) => [...new Set(rows.map((r) => r[col]))];

async function alphaSection(run: SearchRunData, space: string): Promise<string[]> {
  const out: string[] = [];
  for (const cell of ordered(run.alphas, 'cell')) {
    const { values, block } = alphaBlocks(run.alphas, cell, space);
    const edges = ordered(run.alphas.filter((r) => r.cell === cell), 'edge').map((e) => edgeName(space, e));
    const ops = ordered(run.alphas.filter((r) => r.cell === cell), 'op');
    const title = `softmax(α) of the ${CELL_TITLES[cell] ?? cell}, per edge (source → target node)`;
    const svg = await renderChart(alphaHeatmaps({ title, values, edges, ops, columns: edges.length > 7 ? 7 : edges.length, xTitle: 'epoch', colourTitle: 'softmax(α)' }));
    const note = block > 1 ? ` Each column is the mean over ${block} epochs.` : '';
    out.push(figure(svg, `Weight of each candidate op on each edge after every epoch; brighter is heavier, and the colour scale spans the weights observed (see its legend).${note}`));
  }
  return out;
}

function skipChart(cells: EpochCell[]): Promise<string> {
  const values = cells.flatMap((c) => Object.entries(skipCounts(c.genotype)).map(([cell, n]) => ({ epoch: c.epoch + 1, cell: CELL_TITLES[cell] ?? cell, skips: n })));
  const order = [...new Set(values.map((v) => v.cell))];
  const max = cells[0]?.genotype.space === 'nb201' ? 6 : 8;
  return renderChart(lineChart({ title: 'skip connections in the derived cell', values, x: 'epoch', y: 'skips', xTitle: 'epoch', yTitle: 'skip_connect edges (count)', series: 'cell', seriesOrder: order, step: true, yDomain: [0, max], width: 260 }));
}

/** NB201 with --table: the benchmark accuracies of each epoch's derived cell. */
function benchmarkChart(log: readonly CsvRow[], dataset: unknown): Promise<string> | null {
  const cols: [string, string][] = [['nb201_valid_12ep', '12-epoch validation'], ['nb201_test_200ep', '200-epoch test']];
  const values = log.flatMap((r) => cols.filter(([c]) => r[c] !== undefined && r[c] !== '').map(([c, name]) => ({ epoch: Number(r.epoch) + 1, which: name, acc: Number(r[c]) })));
  if (values.length === 0) return null;
  const title = `NAS-Bench-201 accuracy of the derived cell${dataset ? ` (${String(dataset)})` : ''}`;
  return renderChart(lineChart({ title, values, x: 'epoch', y: 'acc', xTitle: 'epoch', yTitle: 'benchmark accuracy (%)', series: 'which', seriesOrder: cols.map((c) => c[1]) }));
}

/** Diagrams per run at most (each is ~13 kB); past it the changes are sampled evenly and all listed in a table. */
export const MAX_CELL_DIAGRAMS = 24;

function changeTable(changes: EpochCell[]): string {
  const rows = changes.map((c) => ({ epoch: c.epoch + 1, 'edges changed': c.changed, ...Object.fromEntries(Object.entries(skipCounts(c.genotype)).map(([k, n]) => [`skip_connect (${k})`, n])) }));
  const columns = rows.length ? Object.keys(rows[0]) : [];
  return `<details><summary>Every change of the derived cell (${rows.length})</summary>${table(columns, rows)}</details>`;
}

function cellHistory(cells: EpochCell[], compact: boolean): string {
  if (cells.length === 0) return '';
  const last = cells[cells.length - 1];
  const caption = (c: EpochCell) => {
    const when = c === last ? `epoch ${c.epoch + 1} (final)` : `epoch ${c.epoch + 1}`;
    const what = c.changed > 0 ? `: ${c.changed} edge${c.changed > 1 ? 's' : ''} changed from the epoch before` : c === cells[0] ? ': first derived cell' : ': unchanged';
    return `${when}${what}`;
  };
  if (compact) return `<h3>Derived cell</h3>${grid([cellFigure(last.genotype, caption(last))])}`;
  const all = cellChanges(cells);
  const shown = pickEvenly(all, MAX_CELL_DIAGRAMS).reverse();
  const changes = cells.filter((c) => c.changed > 0);
  const sampled = shown.length < all.length ? ` (${shown.length} of them drawn, evenly spaced; the table lists all)` : '';
  return [
    `<h3>Derived cell: final, and every epoch where it changed: ${changes.length} change${changes.length === 1 ? '' : 's'} in ${cells.length} epochs${sampled}</h3>`,
    grid(shown.map((c) => cellFigure(c.genotype, caption(c)))),
    changes.length ? changeTable(changes) : '',
  ].join('');
}

/**
 * The HTML section of one search run. `compact` (pages of many runs): curves and the final cell
 * only; the α heatmaps and cell history are in each run's own report.html.
 */
export async function searchSection(run: SearchRunData, label: string, compact = false): Promise<string> {
  const info = (run.info ?? {}) as Record<string, unknown>;
  const cfg = (info.config ?? {}) as Record<string, unknown>;
  const space = String(cfg.space ?? (run.alphas[0]?.cell === 'cell' ? 'nb201' : 'darts'));
  const cells = epochCells(run.log);
  const last = run.log[run.log.length - 1];
  const head = summaryLine([
    ['space', space],
    ['dataset', cfg.dataset],
    ['epochs', cfg.epochs !== undefined ? `${run.log.length} of ${cfg.epochs}` : run.log.length],
    ['supernet weights', formatCount(info.params)],
    ['order', cfg.order],
    ['final valid accuracy', last ? `${(100 * Number(last.valid_acc)).toFixed(2)}%` : undefined],
    ['backend', info.backend],
  ]);
  const names = { train: 'train (weights part)', valid: 'valid (architecture part)' };
  const charts = await epochCurves(run.log, names, 'supernet');
  if (cells.length > 0) charts.push(await skipChart(cells));
  const bench = benchmarkChart(run.log, cfg.benchDataset);
  if (bench) charts.push(await bench);
  const alphas = compact ? [] : await alphaSection(run, space);
  const empty = run.log.length === 0 ? '<p class="note">No epoch has finished yet.</p>' : '';
  return [
    `<section class="run search"><h2>DARTS search (${esc(space)} space): ${esc(label)}</h2>`,
    head,
    empty,
    grid(charts.map((c) => figure(c))),
    alphas.length ? `<h3>Architecture weights</h3>${alphas.join('')}` : '',
    cellHistory(cells, compact),
    settingsTable('Configuration (config.json)', info),
    '</section>',
  ].join('\n');
}
