/**
 * The report of a black-box search (`tfnas search --strategy random|evolution|…`): the anytime
 * curve (best so far against queries) over every evaluated candidate, for the search signal and,
 * where the evaluator reports one, the test accuracy; the best cell; the top candidates.
 */
import { getSpace, SPACE_NAMES, type SpaceName } from '../space/spaces';
import type { AnyGenotype } from '../space/genotype';
import { candidatesChart, candidatesDomain, type Datum } from './charts';
import { cellFigure, chainFigure, esc, figure, grid, settingsTable, summaryLine, table } from './page';
import { macroFromKey } from '../space/macro-space';
import type { BlackBoxRunData, CsvRow, Json } from './runs';
import { renderChart } from './vega';
import { paretoFigure } from './pareto-chart';

/** What the search signal is, by evaluator (all are accuracies in %). */
export const SIGNAL_TITLES: Record<string, string> = {
  nb201: 'NAS-Bench-201 12-epoch validation accuracy (%)',
  train: 'held-out accuracy after brief training (%)',
  supernet: 'accuracy with the supernet\'s shared weights (%)',
};
const TOP = 10;
const num = (s: string | undefined) => (s === undefined || s === '' ? null : Number(s));

/** The space of a run's architectures: best.json or checkpoint says; NB201 keys start with `|`. */
export function blackBoxSpace(run: BlackBoxRunData): SpaceName {
  const s = String(run.best?.space ?? run.identity?.space ?? '');
  if ((SPACE_NAMES as readonly string[]).includes(s)) return s as SpaceName;
  return run.history[0]?.architecture?.startsWith('|') ? 'nb201' : 'darts';
}

/** The best architecture (from best.json or the last history row) drawn: a cell, or a macro chain layer by layer. */
function bestFigure(run: BlackBoxRunData, space: SpaceName): string | null {
  const key = (run.best?.best as string | undefined) ?? run.history[run.history.length - 1]?.best_architecture;
  if (!key) return null;
  const caption = `best architecture (query ${bestQuery(run)})`;
  if (space === 'macro') return chainFigure(macroFromKey(key), caption);
  return cellFigure({ space, genotype: getSpace(space).fromKey(key) } as AnyGenotype, caption);
}

/** Rows {query, value, best} of one measure (`signal` or `test_accuracy`). */
function candidateRows(history: readonly CsvRow[], value: string, best: string): Datum[] {
  return history.map((r) => ({ query: Number(r.query), value: num(r[value]), best: num(r[best]) })).filter((d) => d.value !== null);
}

export function evaluatorOf(run: BlackBoxRunData): string {
  return String(run.best?.evaluator ?? run.identity?.evaluator ?? '');
}

function topTable(history: readonly CsvRow[]): string {
  const seen = new Set<string>();
  const rows = [...history]
    .sort((a, b) => Number(b.signal) - Number(a.signal) || Number(a.query) - Number(b.query))
    .filter((r) => !seen.has(r.architecture) && seen.add(r.architecture))
    .slice(0, TOP)
    .map((r) => ({ query: Number(r.query), signal: num(r.signal), 'test accuracy': num(r.test_accuracy), architecture: r.architecture }));
  return `<h3>Top ${rows.length} candidates by search signal</h3>${table(['query', 'signal', 'test accuracy', 'architecture'], rows)}`;
}

/** The HTML section of one black-box search run. */
export async function blackBoxSection(run: BlackBoxRunData, label: string): Promise<string> {
  const space = blackBoxSpace(run);
  const evaluator = evaluatorOf(run);
  const best = run.best ?? ({} as Json);
  const strategy = best.strategy ?? run.identity?.strategy ?? 'black-box';
  const signalTitle = SIGNAL_TITLES[evaluator] ?? 'search signal';
  const charts: string[] = [];
  const signal = candidateRows(run.history, 'signal', 'best_signal');
  if (signal.length > 0) charts.push(await candidates('anytime curve: search signal', signal, signalTitle));
  const test = candidateRows(run.history, 'test_accuracy', 'best_test_accuracy');
  if (test.length > 0) {
    const title = evaluator === 'nb201' ? 'NAS-Bench-201 200-epoch test accuracy (%)' : 'test accuracy (%)';
    charts.push(await candidates('anytime curve: test accuracy of the best by signal', test, title));
  }
  const front = await paretoFigure(run.pareto ?? [], signalTitle);
  if (front) charts.push(front);
  const bestDrawn = bestFigure(run, space);
  const head = summaryLine([
    ['strategy', strategy],
    ['space', space],
    ['evaluator', evaluator],
    ['dataset', best.dataset],
    ['queries', run.history.length],
    ['best signal', best.signal ?? run.history[run.history.length - 1]?.best_signal],
    ['its test accuracy', best.test_accuracy ?? undefined],
  ]);
  return [
    `<section class="run blackbox"><h2>Black-box search (${esc(String(strategy))}): ${esc(label)}</h2>`,
    head,
    run.history.length === 0 ? '<p class="note">No query has finished yet.</p>' : '',
    grid([...charts, ...(bestDrawn ? [bestDrawn] : [])]),
    run.history.length ? topTable(run.history) : '',
    settingsTable('Configuration (checkpoint.json, best.json)', { ...(run.identity ?? {}), ...withoutGenotype(best) }),
    '</section>',
  ].join('\n');
}

/** A candidates chart with a caption that counts the candidates below its y range. */
async function candidates(title: string, values: Datum[], yTitle: string): Promise<string> {
  const svg = await renderChart(candidatesChart({ title, values, yTitle }));
  const { below } = candidatesDomain(values);
  const note = below > 0 ? ` ${below} of ${values.length} candidates lie below the y range (the lowest 5% are cut off so that the curve stays readable).` : '';
  return figure(svg, `Points: every evaluated architecture; line: the best so far by search signal.${note}`);
}

function bestQuery(run: BlackBoxRunData): number | string {
  const key = (run.best?.best as string | undefined) ?? run.history[run.history.length - 1]?.best_architecture;
  const row = run.history.find((r) => r.architecture === key);
  return row ? Number(row.query) : '?';
}

function withoutGenotype(best: Json): Json {
  const { genotype: _g, ...rest } = best;
  return rest;
}
