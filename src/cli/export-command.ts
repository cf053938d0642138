import type { Argv, CommandModule } from 'yargs';
import { EXPORT_OPTIONS, exportGenotype } from '../api/export';
import { cliOptions } from './common';
import { addOptions } from './options';

/** `tfnas export`: a genotype as data (JSON, DARTS Python form, NB201 string, macro key) or as a diagram (DOT, SVG), a trained macro network as a browser model; the library's `exportGenotype`. */
export const exportCommand: CommandModule = {
  command: 'export',
  describe: 'Write a genotype as json, darts, nb201, hash (NAS-Bench-101), key (macro), dot or svg, or a trained macro network as a browser model (e.g. tfnas export --genotype DARTS_V2 --format svg --out cells.svg)',
  builder: (y: Argv) =>
    addOptions(y, EXPORT_OPTIONS)
      .example('tfnas export --genotype results/search/darts/cifar10/seed-0 --format darts', 'print a search result in the reference form')
      .example(`tfnas export --space nb101 --genotype '{"matrix": [[0,1,1],[0,0,1],[0,0,0]], "ops": ["input","conv3x3-bn-relu","output"]}' --format hash`, 'the official NAS-Bench-101 module hash')
      .example('tfnas export --genotype image_classifier/search/candidates/0003 --format model --out web-model', 'a trained macro-space candidate as a browser model (raw pixels in, probabilities out)')
      .example("tfnas export --space macro --genotype 'conv3-32/max conv3-64/max bn=0 drop=0.5 dense=128'", 'a macro genotype as JSON')
      .example("tfnas export --genotype '|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|' --format svg --out nb201.svg", 'draw an NB201 cell') as never,
  handler: async (argv) => {
    const r = await exportGenotype(cliOptions(argv as Record<string, unknown>, EXPORT_OPTIONS) as never);
    if (r.out === null) process.stdout.write(r.text);
    else process.stderr.write(`tfnas: wrote ${r.format} of ${r.source} to ${r.out}\n`);
  },
};
