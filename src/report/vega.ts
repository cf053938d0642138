/**
 * Charts as static SVG, rendered in Node by Vega-Lite → Vega (`View.toSVG()`, no browser, no
 * canvas). Every spec carries its data inline; the loader refuses every URL and file, so rendering
 * never reaches a network or reads outside the run folders (`no data loading` is tested).
 * The theme uses system fonts only and colour scales chosen to survive greyscale printing and
 * colour-blindness: Okabe & Ito's palette (Color Universal Design, 2008) together with distinct
 * dash patterns for categories, viridis (luminance rises monotonically) for heatmaps.
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/** Okabe–Ito, ordered so that neighbours differ in lightness as well as hue. */
export const CATEGORY_COLOURS = ['#0072B2', '#E69F00', '#009E73', '#D55E00', '#56B4E9', '#CC79A7', '#000000', '#F0E442'];
/** Dash patterns paired with the colours above, so that series stay apart in greyscale. */
export const DASHES: number[][] = [[1, 0], [6, 3], [2, 2], [8, 3, 2, 3], [12, 4], [4, 4, 1, 4], [1, 3], [10, 2, 2, 2, 2, 2]];

export const FONT = 'Helvetica, Arial, "DejaVu Sans", sans-serif';

/** The report's Vega-Lite config (fonts, sizes, palettes). */
export const THEME = {
  font: FONT,
  background: 'white',
  title: { fontSize: 13, fontWeight: 'bold', anchor: 'start', offset: 8 },
  axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal', gridColor: '#e8e8e8', domainColor: '#666', tickColor: '#666' },
  legend: { labelFontSize: 11, titleFontSize: 11, titleFontWeight: 'normal', symbolStrokeWidth: 2, symbolSize: 120, labelLimit: 320 },
  header: { labelFontSize: 11, titleFontSize: 12 },
  range: { category: CATEGORY_COLOURS, heatmap: { scheme: 'viridis' }, ramp: { scheme: 'viridis' } },
  view: { stroke: '#ccc' },
  line: { strokeWidth: 1.8 },
} as const;

/**
 * A Vega loader that loads nothing (no network, no files). Vega only logs a failed load and draws
 * an empty chart, so the refusal is remembered and renderChart fails afterwards.
 */
function offlineLoader() {
  const refused: string[] = [];
  const refuse = async (uri: string): Promise<never> => {
    refused.push(uri);
    throw new Error(`report charts load no data (asked for ${uri})`);
  };
  return { loader: { load: refuse, sanitize: refuse, http: refuse, file: refuse }, refused };
}

/**
 * Vega-Lite's warnings (a conflicting encoding, a dropped field) mean that a chart is not drawn as
 * specified: they are errors here, so that tests catch them.
 */
function strictLogger(title: unknown) {
  const fail = (...args: unknown[]) => {
    throw new Error(`chart ${JSON.stringify(title ?? '')}: Vega-Lite: ${args.map(String).join(' ')}`);
  };
  const logger = { level: () => logger, warn: fail, error: fail, info: () => logger, debug: () => logger };
  return logger;
}

/** Renders one Vega-Lite spec to an SVG string (without an XML declaration, for inlining). */
export async function renderChart(spec: TopLevelSpec): Promise<string> {
  const withTheme = { ...spec, config: { ...THEME, ...(spec.config ?? {}) } } as TopLevelSpec;
  const compiled = compile(withTheme, { logger: strictLogger(spec.title) as never }).spec;
  const { loader, refused } = offlineLoader();
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', loader: loader as unknown as vega.Loader });
  try {
    const svg = await view.toSVG();
    if (refused.length > 0) throw new Error(`chart ${JSON.stringify(spec.title ?? '')}: report charts load no data, every chart carries its data inline (asked for ${refused.join(', ')})`);
    return svg;
  } finally {
    view.finalize();
  }
}
