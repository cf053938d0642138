/**
 * The report page: one self-contained HTML document (inline CSS and SVG, no script, no font or
 * image from elsewhere), so it opens from a file on an offline machine and prints as it shows.
 */
import type { AnyGenotype } from '../space/genotype';
import { escapeXml, genotypeToSvg } from '../viz/svg';
import { macroDiagram } from '../viz/macro-text';
import { MACRO_BUDGET_CLASSES, MACRO_BUDGET_SHAPE } from '../space/macro-budget';
import type { MacroGenotype } from '../space/macro-space';

export const esc = escapeXml;

const CSS = `
body { font-family: Helvetica, Arial, "DejaVu Sans", sans-serif; margin: 24px auto; max-width: 1400px; padding: 0 20px; color: #222; }
h1 { font-size: 22px; margin-bottom: 4px; }
h2 { font-size: 18px; border-bottom: 1px solid #ccc; padding-bottom: 4px; margin-top: 36px; }
h3 { font-size: 15px; margin: 22px 0 8px; }
.meta, .summary { color: #555; font-size: 13px; }
.summary b { color: #222; }
.grid { display: flex; flex-wrap: wrap; gap: 18px 28px; align-items: flex-start; }
figure { margin: 0; }
figure svg { display: block; max-width: 100%; height: auto; }
figure.cell svg { max-width: 560px; }
.mark-rect path { shape-rendering: crispEdges; }
figcaption { font-size: 12px; color: #555; max-width: 560px; margin-top: 2px; }
table { border-collapse: collapse; font-size: 12px; margin: 6px 0; }
th, td { border: 1px solid #ddd; padding: 3px 8px; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
code, .mono { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 12px; }
details > summary { cursor: pointer; font-size: 14px; margin: 14px 0 6px; }
.note { font-size: 13px; color: #555; }
@media print { details { display: block; } body { max-width: none; } }
`;

/** A chart or diagram with an optional caption. `kind` marks charts for the browser test. */
export function figure(svg: string, caption?: string, kind: 'chart' | 'cell' = 'chart'): string {
  return `<figure class="${kind}">${svg}${caption ? `<figcaption>${esc(caption)}</figcaption>` : ''}</figure>`;
}

export const grid = (items: string[]) => `<div class="grid">${items.join('')}</div>`;

let diagramCount = 0;
/** A cell diagram from src/viz with its caption drawn above the cells (marker ids unique on the page). */
export function cellFigure(g: AnyGenotype, caption: string): string {
  const svg = genotypeToSvg(g, { caption, idPrefix: `cell${++diagramCount}-` }).replace(/^<\?xml[^>]*>\s*/, '');
  return figure(svg, undefined, 'cell');
}

/**
 * A macro-space chain drawn layer by layer (viz/macro-text.ts). A run folder does not record the
 * images' shape, so the shapes are those of the compute budget's reference input (32×32×3, 10
 * classes), which the caption says.
 */
export function chainFigure(g: MacroGenotype, caption: string): string {
  const [h, w, c] = MACRO_BUDGET_SHAPE;
  const drawn = macroDiagram(g, MACRO_BUDGET_SHAPE, MACRO_BUDGET_CLASSES);
  return figure(`<pre class="chain">${esc(drawn)}</pre>`, `${caption}; shapes for a ${h}×${w}×${c} input and ${MACRO_BUDGET_CLASSES} classes`, 'cell');
}

function cell(v: unknown): string {
  if (typeof v === 'number') return `<td class="num">${esc(Number.isInteger(v) ? v.toLocaleString('en-US') : String(Number(v.toPrecision(6))))}</td>`;
  if (v === null || v === undefined) return '<td>–</td>';
  return `<td>${esc(typeof v === 'string' ? v : JSON.stringify(v))}</td>`;
}

/** A table of rows (objects) in the given column order. */
export function table(columns: string[], rows: Record<string, unknown>[]): string {
  const head = `<tr>${columns.map((c) => `<th>${esc(c)}</th>`).join('')}</tr>`;
  return `<table>${head}${rows.map((r) => `<tr>${columns.map((c) => cell(r[c])).join('')}</tr>`).join('')}</table>`;
}

/** Nested settings as `a.b = value` rows (arrays stay whole: they are values such as genotypes). */
export function flatten(obj: Record<string, unknown>, prefix = ''): [string, unknown][] {
  const out: [string, unknown][] = [];
  for (const [k, v] of Object.entries(obj)) {
    if (v && typeof v === 'object' && !Array.isArray(v)) out.push(...flatten(v as Record<string, unknown>, `${prefix}${k}.`));
    else out.push([`${prefix}${k}`, v]);
  }
  return out;
}

/** The settings of a run, collapsed by default. */
export function settingsTable(title: string, obj: Record<string, unknown> | null): string {
  if (!obj) return '';
  const rows = flatten(obj).map(([setting, value]) => ({ setting, value }));
  return `<details><summary>${esc(title)}</summary>${table(['setting', 'value'], rows)}</details>`;
}

/** `label value · label value`, skipping missing values. */
export function summaryLine(parts: [string, unknown][]): string {
  const shown = parts.filter(([, v]) => v !== undefined && v !== null && v !== '');
  return `<p class="summary">${shown.map(([k, v]) => `${esc(k)} <b>${esc(String(v))}</b>`).join(' · ')}</p>`;
}

export interface PageContent {
  title: string;
  meta: string;
  body: string[];
}

export function page(c: PageContent): string {
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${esc(c.title)}</title>`,
    `<style>${CSS}</style>`,
    '</head><body>',
    `<h1>${esc(c.title)}</h1>`,
    `<p class="meta">${esc(c.meta)}</p>`,
    ...c.body,
    '</body></html>',
    '',
  ].join('\n');
}

/** A count with its value in millions, e.g. `394,210 (0.39 M)`. */
export function formatCount(n: unknown): string | undefined {
  if (typeof n !== 'number') return undefined;
  return `${n.toLocaleString('en-US')} (${(n / 1e6).toFixed(2)} M)`;
}

/** A fraction (0–1) or a percentage as `12.34%`. */
export const pct = (v: number, isFraction: boolean) => `${(isFraction ? 100 * v : v).toFixed(2)}%`;
