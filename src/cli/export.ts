import * as fs from 'fs';
import * as path from 'path';
import type { Argv, CommandModule } from 'yargs';
import { writeFileAtomic } from '../io/atomic';
import { UsageError } from '../io/errors';
import { fsReason } from '../io/out';
import { BUILTIN_GENOTYPE_NAMES } from '../space/builtin-genotypes';
import { type ResolvedGenotype, formatDartsGenotype, formatNb201Genotype, genotypeToJson, resolveGenotype } from '../space/genotype';
import { genotypeToDot } from '../viz/dot';
import { genotypeToSvg } from '../viz/svg';
import { addOptions, CONFIG_OPTION, readOptions, type OptionSpecs } from './options';

export const EXPORT_FORMATS = ['json', 'darts', 'nb201', 'dot', 'svg'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** Every option of `tfnas export` (see options.ts). */
export const EXPORT_OPTIONS = {
  genotype: {
    type: 'string', demand: true,
    describe: `built-in name (${BUILTIN_GENOTYPE_NAMES.join(', ')}), JSON file, tfnas search run folder, DARTS string or NB201 string`,
  },
  format: { type: 'string', choices: EXPORT_FORMATS, default: 'json', describe: 'output form' },
  out: { type: 'string', describe: 'file to write (atomically)', defaultDescription: 'stdout' },
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
      return genotypeToJson(g.genotype);
    case 'darts':
      if (g.space !== 'darts') throw new UsageError(`--format darts: ${what} is a NAS-Bench-201 cell; use --format nb201 or json`);
      return formatDartsGenotype(g.genotype) + '\n';
    case 'nb201':
      if (g.space !== 'nb201') throw new UsageError(`--format nb201: ${what} is a DARTS-space genotype; use --format darts or json`);
      return formatNb201Genotype(g.genotype) + '\n';
    case 'dot':
      return genotypeToDot(g);
    case 'svg':
      return genotypeToSvg(g, { caption: captionOf(g, title) });
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

/** `tfnas export`: a genotype as data (JSON, DARTS Python form, NB201 string) or as a diagram (DOT, SVG). */
export const exportCommand: CommandModule = {
  command: 'export',
  describe: 'Write a genotype as json, darts, nb201, dot or svg (e.g. tfnas export --genotype DARTS_V2 --format svg --out cells.svg)',
  builder: (y: Argv) =>
    addOptions(y, EXPORT_OPTIONS)
      .example('tfnas export --genotype results/search/darts/cifar10/seed-0 --format darts', 'print a search result in the reference form')
      .example("tfnas export --genotype '|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|' --format svg --out nb201.svg", 'draw an NB201 cell') as never,
  handler: async (argv) => {
    const a = readOptions(argv as Record<string, unknown>, EXPORT_OPTIONS, 'export');
    const format = a.format as ExportFormat;
    if (a.title !== undefined && format !== 'svg') throw new UsageError(`--title: only --format svg draws a caption, not --format ${format}`);
    checkOut(a.out);
    const g = resolveGenotype(a.genotype, { allowNb201: true });
    const text = renderGenotype(g, format, a.title);
    if (a.out === undefined) {
      process.stdout.write(text);
      return;
    }
    try {
      writeFileAtomic(a.out, text);
    } catch (e) {
      throw new UsageError(`--out: cannot write ${a.out}: ${fsReason(e, a.out)}`);
    }
    process.stderr.write(`tfnas: wrote ${format} of ${sourceOf(g)} to ${a.out}\n`);
  },
};
