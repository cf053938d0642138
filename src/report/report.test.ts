/** Report pages from run folders in the runs' own layout (fixtures), checked as documents. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { lineChart } from './charts';
import { groupRuns } from './compare-section';
import { buildReport, COMPACT_ABOVE, runLabels, writeReport } from './report';
import { loadRun } from './runs';
import { alphaBlocks, MAX_HEATMAP_COLUMNS } from './search-section';
import { syntheticTable, writeBenchRun, writeBlackBoxRun, writeSearchRun, writeTrainRun } from './test-utils/fixtures';
import { renderChart } from './vega';

let root: string;
let table: string;
beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'tfnas-report-'));
  table = syntheticTable(root);
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

function folder(...parts: string[]): string {
  const d = path.join(root, ...parts);
  fs.mkdirSync(d, { recursive: true });
  return d;
}

const figures = (html: string, kind: 'chart' | 'cell') => html.split(`<figure class="${kind}">`).slice(1).map((f) => f.slice(0, f.indexOf('</figure>')));

/** A page that opens offline: no script, no stylesheet, font, image or frame from anywhere. */
function expectSelfContained(html: string): void {
  expect(html).not.toMatch(/<script|<link|<img|<iframe|@import|url\((?!#)/i);
  // Every URL-like attribute is an in-page reference or an XML namespace.
  for (const m of html.matchAll(/(?:href|src)="([^"]*)"/g)) expect(m[1]).toMatch(/^#/);
  expect(html.replace(/xmlns(:xlink)?="http:\/\/www\.w3\.org\/[^"]*"/g, '')).not.toMatch(/https?:\/\//);
  const ids = [...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
  expect(new Set(ids).size).toBe(ids.length);
}

/** The page of one run folder written by `write`, checked to be self-contained. */
async function pageOf(name: string, write: (dir: string) => void | Promise<void>): Promise<string> {
  const dir = folder(name);
  await write(dir);
  const html = await buildReport([dir]);
  expectSelfContained(html);
  return html;
}

const expectTexts = (html: string, texts: string[]) => texts.forEach((t) => expect(html).toContain(t));

/** Every chart is an SVG that draws something. */
function expectChartsDrawn(html: string, atLeast: number): void {
  const charts = figures(html, 'chart');
  expect(charts.length).toBeGreaterThanOrEqual(atLeast);
  for (const c of charts) {
    expect(c).toMatch(/^<svg/);
    expect(c).toMatch(/<path[^>]* d="M/);
  }
}

describe('tfnas report pages', () => {
  it('draws a DARTS search: curves, lr, skip connections, α of both cells, the cells, the configuration', async () => {
    const html = await pageOf('search', (d) => writeSearchRun(d, { totalEpochs: 12 }));
    expectChartsDrawn(html, 6);
    expectTexts(html, ['supernet: loss', 'supernet: accuracy', 'learning rate', 'skip connections in the derived cell', 'softmax(α) of the normal cell', 'softmax(α) of the reduction cell']);
    expectTexts(html, ['c_{k-2} → 0', 'epoch 12 (final)', 'Configuration (config.json)', '1,930,618 (1.93 M)', 'cross-entropy loss (nats)', 'top-1 accuracy (%)']);
    expect(figures(html, 'cell').length).toBeGreaterThanOrEqual(1);
  });

  it('draws an NB201 search with the benchmark accuracies of each epoch\'s cell', async () => {
    const html = await pageOf('search-nb201', (d) => writeSearchRun(d, { space: 'nb201', totalEpochs: 5, table: true }));
    expectChartsDrawn(html, 6);
    expectTexts(html, ['NAS-Bench-201 accuracy of the derived cell', 'softmax(α) of the cell', 'NAS-Bench-201 cell']);
  });

  it('draws runs in progress: a search with no finished epoch, a retraining without its final metrics', async () => {
    const empty = folder('search-empty');
    writeSearchRun(empty, { totalEpochs: 50, epochs: 0 });
    const html = await buildReport([empty]);
    expect(html).toContain('No epoch has finished yet.');
    const partial = folder('train-partial');
    writeTrainRun(partial, { totalEpochs: 10, epochs: 4 });
    const page = await buildReport([partial]);
    expectChartsDrawn(page, 3);
    expect(page).toContain('4 of 10');
    expect(page).not.toContain('confusion matrix');
  });

  it('draws a retraining: curves, per-class accuracy, the confusion matrix, the trained cell', async () => {
    const html = await pageOf('train', (d) => writeTrainRun(d, { totalEpochs: 8 }));
    expectChartsDrawn(html, 5);
    expectTexts(html, ['per-class test accuracy', 'confusion matrix (test split)', 'trained cell: DARTS_V2', 'test accuracy <b>80.00% on 10000 images', '3,349,342']);
  });

  it('draws a black-box search and a bench nb201 folder', async () => {
    const html = await pageOf('evolution', (d) => writeBlackBoxRun(d, table, { strategy: 'evolution', seed: 0, budget: 30 }));
    expectChartsDrawn(html, 2);
    expectTexts(html, ['anytime curve: search signal', 'anytime curve: test accuracy', 'best architecture (query', 'Top 10 candidates']);
    const page = await pageOf('bench', (d) => writeBenchRun(d, table, 2, 20));
    expectChartsDrawn(page, 2);
    expect(page).toContain('mean best test accuracy over the runs');
  });

  it('draws the best chain of a macro-space search layer by layer', async () => {
    const key = 'conv3-32/max conv3-64/max conv3-128/max bn=0 drop=0.25 dense=256';
    const html = await pageOf('macro', (d) => {
      const history = ['query,architecture,signal,test_accuracy,best_signal,best_architecture,best_test_accuracy', `1,${key},49.65,,49.65,${key},`];
      fs.writeFileSync(path.join(d, 'history.csv'), history.join('\n') + '\n');
      fs.writeFileSync(path.join(d, 'best.json'), JSON.stringify({ strategy: 'evolution', space: 'macro', evaluator: 'train', dataset: 'cifar10', queries: 1, best: key, signal: 49.65 }));
    });
    const [chain] = figures(html, 'cell');
    expect(chain).toContain('<pre class="chain">');
    expectTexts(chain, ['conv 3×3, 128', '4×4×128', 'dense 256', 'best architecture (query 1); shapes for a 32×32×3 input and 10 classes']);
  });

  it('overlays seeds of one configuration as mean ± std and names configurations by what differs', async () => {
    const dirs: string[] = [];
    for (const strategy of ['random', 'evolution']) {
      for (const seed of [0, 1]) {
        const d = folder('bb', strategy, `seed-${seed}`);
        await writeBlackBoxRun(d, table, { strategy, seed, budget: 20 });
        dirs.push(d);
      }
    }
    const groups = groupRuns(dirs.map((d, i) => ({ run: loadRun(d), label: String(i) })));
    expect(groups.map((g) => g.label)).toEqual(['strategy random (2 runs)', 'strategy evolution (2 runs)']);
    const html = await buildReport(dirs);
    expect(html).toContain('Comparison: 4 black-box searches');
    expect(html).toContain('mark-area'); // the ± std bands
    expect(runLabels(dirs)).toEqual(['random/seed-0', 'random/seed-1', 'evolution/seed-0', 'evolution/seed-1']);
    // More runs than COMPACT_ABOVE: every run is folded away under the comparison.
    expect(dirs.length).toBeGreaterThan(COMPACT_ABOVE);
    expect(html.match(/<details class="run">/g)).toHaveLength(4);
  });

  it('keeps a 50-epoch DARTS search (2 × 14 edges × 8 ops) under 3 MB, and averages α in blocks past 100 epochs', async () => {
    const dir = folder('search-50');
    writeSearchRun(dir, { totalEpochs: 50 });
    const file = path.join(dir, 'report.html');
    await writeReport(file, [dir]);
    expect(fs.statSync(file).size).toBeLessThan(3 * 1024 * 1024);
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('.tmp-'))).toEqual([]);
    const alphas = Array.from({ length: 250 }, (_, epoch) => ({ epoch: String(epoch), cell: 'normal', edge: '2<-0', op: 'none', weight: String(epoch) }));
    const { values, block } = alphaBlocks(alphas, 'normal', 'darts');
    expect(block).toBe(Math.ceil(250 / MAX_HEATMAP_COLUMNS));
    expect(values).toHaveLength(Math.ceil(250 / block));
    // Epochs 0–2 shown as 1–3: the interval [0.5, 3.5] with their mean.
    expect(values[0]).toMatchObject({ x0: 0.5, x1: 3.5, weight: 1 });
  });

  it('loads no data from anywhere when rendering, and treats Vega-Lite warnings as errors', async () => {
    const remote = { ...lineChart({ title: 't', values: [{ x: 1, y: 1 }], x: 'x', y: 'y', xTitle: 'x', yTitle: 'y' }), data: { url: 'https://example.com/data.json' } };
    await expect(renderChart(remote as never)).rejects.toThrow(/load no data/);
    const wrong = { data: { values: [{ a: 1 }] }, mark: 'line', encoding: { x: { field: 'a', type: 'quantitative' }, size: { field: 'a', type: 'quantitative', aggregate: 'nonsense' } } };
    await expect(renderChart(wrong as never)).rejects.toThrow(/Vega-Lite/);
  });
});
