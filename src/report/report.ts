/**
 * `tfnas report`: one self-contained HTML page for one or several run folders, and the live
 * report.html that search and train rewrite after every epoch.
 */
import * as path from 'path';
import { writeFileAtomic } from '../io/atomic';
import { blackBoxSection } from './blackbox-section';
import { BAND_CAPTION, benchSection, compareCharts, groupRuns } from './compare-section';
import { esc, figure, grid, page, table } from './page';
import { type RunData, type RunKind, loadRun } from './runs';
import { searchSection } from './search-section';
import { trainSection } from './train-section';

export const REPORT_FILE = 'report.html';

const KIND_NAMES: Record<RunKind, string> = { search: 'DARTS searches', blackbox: 'black-box searches', train: 'retraining runs', bench: 'benchmarks' };

/** Names for the runs: the last path parts, as few as tell them all apart (`seed-0`, or `evolution/seed-0`). */
export function runLabels(dirs: readonly string[]): string[] {
  const parts = dirs.map((d) => path.resolve(d).split(path.sep).filter(Boolean));
  const longest = Math.max(1, ...parts.map((p) => p.length));
  for (let depth = 1; ; depth++) {
    const labels = parts.map((p) => p.slice(-depth).join('/') || '/');
    if (new Set(labels).size === labels.length || depth >= longest) return labels;
  }
}

/** Pages of more runs than this draw each search run compactly (curves and final cell) and fold the runs away. */
export const COMPACT_ABOVE = 3;

function runSection(run: RunData, label: string, compact: boolean): Promise<string> {
  switch (run.kind) {
    case 'search':
      return searchSection(run, label, compact);
    case 'blackbox':
      return blackBoxSection(run, label);
    case 'train':
      return trainSection(run, label);
    case 'bench':
      return benchSection(run, label);
  }
}

/** One comparison section per kind of run that has at least two runs. */
async function comparisons(runs: { run: RunData; label: string }[]): Promise<string[]> {
  const out: string[] = [];
  for (const kind of ['search', 'train', 'blackbox'] as RunKind[]) {
    const mine = runs.filter((r) => r.run.kind === kind);
    const charts = await compareCharts(kind, mine);
    if (charts.length === 0) continue;
    const members = groupRuns(mine).flatMap((g) => g.runs.map((r) => ({ run: r.label, configuration: g.label, folder: r.run.dir })));
    out.push(
      `<section class="compare"><h2>Comparison: ${mine.length} ${KIND_NAMES[kind]}</h2>`,
      grid(charts.map((c) => figure(c, BAND_CAPTION))),
      table(['run', 'configuration', 'folder'], members),
      '</section>',
    );
  }
  return out;
}

function version(): string {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  return (require('../../package.json') as { version: string }).version;
}

/** The report page of the given run folders (each must be a run folder: see expandRunDirs). */
export async function buildReport(dirs: readonly string[]): Promise<string> {
  const labels = runLabels(dirs);
  const runs = dirs.map((d, i) => ({ run: loadRun(d), label: labels[i] }));
  const body = [...(await comparisons(runs))];
  const compact = runs.length > COMPACT_ABOVE;
  if (compact) body.push(`<h2>The ${runs.length} runs</h2><p class="note">Each run's own report.html (tfnas report RUN) also shows its architecture weights and every change of its cell.</p>`);
  for (const r of runs) {
    const section = await runSection(r.run, r.label, compact);
    body.push(compact ? `<details class="run"><summary>${esc(r.label)} (${r.run.kind})</summary>${section}</details>` : section);
  }
  const title = runs.length === 1 ? `tfnas report: ${labels[0]}` : `tfnas report: ${runs.length} runs`;
  const meta = `Generated ${new Date().toISOString()} by tfnas ${version()} from ${dirs.map((d) => path.resolve(d)).join(', ')}.`;
  return page({ title, meta, body });
}

/** Builds the report of `dirs` and writes it to `file` atomically. */
export async function writeReport(file: string, dirs: readonly string[]): Promise<void> {
  writeFileAtomic(file, await buildReport(dirs));
}

/**
 * Rewrites `<runDir>/report.html` during a run. A failure to draw never stops the run: it is
 * reported once per run folder on `log` and the run goes on.
 */
const warned = new Set<string>();
export async function refreshRunReport(runDir: string, log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Promise<void> {
  try {
    await writeReport(path.join(runDir, REPORT_FILE), [runDir]);
  } catch (e) {
    if (warned.has(runDir)) return;
    warned.add(runDir);
    log(`tfnas: warning: ${path.join(runDir, REPORT_FILE)} not updated: ${(e as Error).message}`);
  }
}

