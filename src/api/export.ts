/**
 * `exportGenotype(options)`: what `tfnas export` does, as a library call: a genotype as data (JSON,
 * DARTS Python form, NB201 string, NB101 hash, macro key) or as a diagram (DOT, SVG), returned as
 * text and written to `out` when given; a trained macro network as its browser model (export-macro.ts).
 */
import * as fs from 'fs';
import * as path from 'path';
import { writeFileAtomic } from '../io/atomic';
import { UsageError } from '../io/errors';
import { fsReason } from '../io/out';
import { BUILTIN_GENOTYPE_NAMES } from '../space/builtin-genotypes';
import { type ResolvedGenotype, type SpaceName, formatDartsGenotype, formatNb201Genotype, genotypeToJson, resolveGenotype } from '../space/genotype';
import { nb101Check, nb101HashPruned } from '../space/nb101-spec';
import { SPACE_NAMES } from '../space/spaces';
import { genotypeToDot } from '../viz/dot';
import { genotypeToSvg } from '../viz/svg';
import { CONFIG_OPTION, type OptionSpecs } from '../cli/options';
import { readApiOptions, type ApiOptions } from './options';
import { resolveMacroGenotype } from '../space/macro-resolve';
import { checkModelOut, macroSource, renderMacro, writeMacroModel } from './export-macro';

export const EXPORT_FORMATS = ['json', 'darts', 'nb201', 'hash', 'dot', 'svg', 'key', 'model'] as const;

const SPACE_TITLE: Record<SpaceName, string> = { darts: 'a DARTS-space genotype', nb201: 'a NAS-Bench-201 cell', nb101: 'a NAS-Bench-101 cell', macro: 'a macro-space chain network' };
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** Every option of `tfnas export` (see options.ts). */
export const EXPORT_OPTIONS = {
  genotype: {
    type: 'string', demand: true,
    describe: `built-in name (${BUILTIN_GENOTYPE_NAMES.join(', ')}), JSON file or inline JSON, tfnas search run folder, DARTS string, NB201 string, macro key, or a trained macro network's folder (a search candidate)`,
  },
  space: {
    type: 'string', choices: SPACE_NAMES,
    describe: 'the space the genotype must belong to (nb101: {"matrix": [[…]], "ops": […]})', defaultDescription: 'recognised from its form',
  },
  format: { type: 'string', choices: EXPORT_FORMATS, default: 'json', describe: 'output form (key: the macro space\'s one-line form; model: a trained macro network\'s browser model, into the folder --out)' },
  out: { type: 'string', describe: 'file to write (atomically); with --format model the folder', defaultDescription: 'stdout' },
  title: { type: 'string', describe: 'caption of the SVG diagram', defaultDescription: 'the built-in name, if any' },
  ...CONFIG_OPTION,
} as const satisfies OptionSpecs;

/** The caption of a diagram: the user's title, else the built-in genotype's name. */
function captionOf(g: ResolvedGenotype, title?: string): string | undefined {
  if (title !== undefined) return title || undefined;
  return g.source.startsWith('built-in ') ? g.source.slice('built-in '.length) : undefined;
}

/** Where a genotype came from, for messages ("built-in DARTS_V2", "file x.json", "the --genotype string"). */
const sourceOf = (g: ResolvedGenotype) => (g.source === 'string' ? 'the --genotype string' : g.source);

/** Renders a resolved genotype in one export format; throws a UsageError when the format does not fit the space. */
export function renderGenotype(g: ResolvedGenotype, format: ExportFormat, title?: string): string {
  const what = sourceOf(g);
  switch (format) {
    case 'json':
      // A NAS-Bench-101 cell is written pruned: the architecture, as the benchmark file stores it.
      return genotypeToJson(g.space === 'nb101' ? nb101Check(g.genotype) : g.genotype);
    case 'darts':
      if (g.space !== 'darts') throw new UsageError(`--format darts: ${what} is ${SPACE_TITLE[g.space]}; use --format ${g.space === 'nb201' ? 'nb201' : 'hash'} or json`);
      return formatDartsGenotype(g.genotype) + '\n';
    case 'nb201':
      if (g.space !== 'nb201') throw new UsageError(`--format nb201: ${what} is ${SPACE_TITLE[g.space]}; use --format ${g.space === 'darts' ? 'darts' : 'hash'} or json`);
      return formatNb201Genotype(g.genotype) + '\n';
    case 'hash':
      if (g.space !== 'nb101') throw new UsageError(`--format hash: ${what} is ${SPACE_TITLE[g.space]}; the module hash exists only for NAS-Bench-101 cells (--space nb101)`);
      return nb101HashPruned(nb101Check(g.genotype)) + '\n';
    case 'dot':
      return genotypeToDot(g);
    case 'svg':
      return genotypeToSvg(g, { caption: captionOf(g, title) });
    case 'key':
    case 'model':
      throw new UsageError(`--format ${format}: ${what} is ${SPACE_TITLE[g.space]}; --format ${format} is for the macro space (--space macro)`);
    default:
      throw new UsageError(`--format: expected one of ${EXPORT_FORMATS.join(', ')}, got ${JSON.stringify(format)}`);
  }
}

/** Rejects an --out that cannot be a file, before anything is computed or written. */
function checkOut(out: string | undefined): void {
  if (out === undefined) return;
  if (out.trim() === '') throw new UsageError('--out: expected a file name, got ""');
  if (out.endsWith('/') || (fs.existsSync(out) && fs.statSync(out).isDirectory())) {
    throw new UsageError(`--out: ${out} is a folder; expected a file name such as ${path.join(out, 'genotype.svg')}`);
  }
}

export type ExportOptions = ApiOptions<typeof EXPORT_OPTIONS>;

/** What exportGenotype returns: the text, its space, and the file written (when `out` is given). */
export interface ExportResult {
  text: string;
  space: SpaceName;
  format: ExportFormat;
  /** Where the genotype came from ("built-in DARTS_V2", "file x.json", "the --genotype string"). */
  source: string;
  out: string | null;
}

/** Renders a genotype in a format; writes it (atomically) to `out` when given. */
export async function exportGenotype(options: ExportOptions): Promise<ExportResult> {
  const { values: a } = readApiOptions(options as Record<string, unknown>, EXPORT_OPTIONS, 'export');
  const format = a.format as ExportFormat;
  if (a.title !== undefined && format !== 'svg') throw new UsageError(`--title: only --format svg draws a caption, not --format ${format}`);
  if (format === 'model') checkModelOut(a.out);
  else checkOut(a.out);
  const macro = a.space === undefined || a.space === 'macro' ? resolveMacroGenotype(a.genotype, a.space === 'macro') : null;
  if (macro && format === 'model') {
    await writeMacroModel(macro, a.out as string);
    return { text: path.join(a.out as string, 'model.json') + '\n', space: 'macro', format, source: macroSource(macro), out: a.out as string };
  }
  if (macro) return writeText(renderMacro(macro, format), 'macro', format, macroSource(macro), a.out);
  const g = resolveGenotype(a.genotype, { allowNb201: true, allowNb101: true });
  if (a.space !== undefined && g.space !== a.space) {
    throw new UsageError(`--space ${a.space}: ${sourceOf(g)} is ${SPACE_TITLE[g.space]}, not ${SPACE_TITLE[a.space as SpaceName]}`);
  }
  return writeText(renderGenotype(g, format, a.title), g.space, format, sourceOf(g), a.out);
}

/** Writes `text` (atomically) to `out` when given; the result of an export of text. */
function writeText(text: string, space: SpaceName, format: ExportFormat, source: string, out: string | undefined): ExportResult {
  if (out !== undefined) {
    try {
      writeFileAtomic(out, text);
    } catch (e) {
      throw new UsageError(`--out: cannot write ${out}: ${fsReason(e, out)}`);
    }
  }
  return { text, space, format, source, out: out ?? null };
}
