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

export const EXPORT_FORMATS = ['json', 'darts', 'nb201', 'dot', 'svg'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

interface Args {
  genotype: string;
  format: ExportFormat;
  out?: string;
  title?: string;
}

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
export const exportCommand: CommandModule<object, Args> = {
  command: 'export',
  describe: 'Write a genotype as json, darts, nb201, dot or svg (e.g. tfnas export --genotype DARTS_V2 --format svg --out cells.svg)',
  builder: (y: Argv) =>
    y
      .option('genotype', {
        type: 'string',
        demandOption: true,
        describe: `built-in name (${BUILTIN_GENOTYPE_NAMES.join(', ')}), JSON file, tfnas search run folder, DARTS string or NB201 string`,
      })
      .option('format', { type: 'string', choices: EXPORT_FORMATS, default: 'json', describe: 'output form' })
      .option('out', { type: 'string', describe: 'file to write (atomically); stdout when absent' })
      .option('title', { type: 'string', describe: 'caption of the SVG diagram (default: the built-in name, if any)' })
      .example('tfnas export --genotype results/search/darts/cifar10/seed-0 --format darts', 'print a search result in the reference form')
      .example("tfnas export --genotype '|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|' --format svg --out nb201.svg", 'draw an NB201 cell') as never,
  handler: async (argv) => {
    for (const k of ['genotype', 'format', 'out', 'title'] as const) {
      if (Array.isArray(argv[k])) throw new UsageError(`--${k}: given ${(argv[k] as unknown[]).length} times; expected it once`);
    }
    if (argv.title !== undefined && argv.format !== 'svg') throw new UsageError(`--title: only --format svg draws a caption, not --format ${argv.format}`);
    checkOut(argv.out);
    const g = resolveGenotype(argv.genotype, { allowNb201: true });
    const text = renderGenotype(g, argv.format, argv.title);
    if (argv.out === undefined) {
      process.stdout.write(text);
      return;
    }
    try {
      writeFileAtomic(argv.out, text);
    } catch (e) {
      throw new UsageError(`--out: cannot write ${argv.out}: ${fsReason(e, argv.out)}`);
    }
    process.stderr.write(`tfnas: wrote ${argv.format} of ${sourceOf(g)} to ${argv.out}\n`);
  },
};
