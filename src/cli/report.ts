import * as fs from 'fs';
import * as path from 'path';
import type { Argv, CommandModule } from 'yargs';
import { UsageError } from '../io/errors';
import { REPORT_FILE, writeReport } from '../report/report';
import { expandRunDirs } from '../report/runs';
import { addOptions, readOptions, type OptionSpecs } from './options';

/** The options of `tfnas report` besides the run folders (see options.ts). */
const REPORT_OPTIONS = {
  out: { type: 'string', describe: 'HTML file to write (atomically)', defaultDescription: 'RUN/report.html for a single run' },
} as const satisfies OptionSpecs;

/** Where the page goes: --out, else report.html in the one run folder. */
function outFile(a: { out?: string }, dirs: string[]): string {
  if (a.out !== undefined) {
    if (a.out.trim() === '' || a.out.endsWith('/') || (fs.existsSync(a.out) && fs.statSync(a.out).isDirectory())) {
      throw new UsageError(`--out: expected an HTML file name such as compare.html, got ${JSON.stringify(a.out)}`);
    }
    return a.out;
  }
  if (dirs.length > 1) throw new UsageError(`--out: needed with several runs (${dirs.length} found); e.g. --out compare.html`);
  return path.join(dirs[0], REPORT_FILE);
}

/** `tfnas report`: one offline HTML page with the curves, α and cells of one or several runs. */
export const reportCommand: CommandModule = {
  command: 'report <runs..>',
  describe: 'Draw runs as one self-contained HTML page (e.g. tfnas report results/search/darts/cifar10/seed-0)',
  builder: (y: Argv) =>
    addOptions(y, REPORT_OPTIONS)
      .positional('runs', { type: 'string', array: true, describe: 'run folders of search, train or bench nb201, or folders holding such run folders' })
      .example('tfnas report results/search/darts/cifar10/seed-0', 'writes report.html into the run folder')
      .example('tfnas report results/search/nb201/cifar10/evolution-seed-* --out evolution.html', 'seeds overlaid, mean ± std') as never,
  handler: async (argv) => {
    const a = readOptions(argv as Record<string, unknown>, REPORT_OPTIONS, 'report');
    const dirs = expandRunDirs((argv.runs as unknown[]).map(String));
    const file = outFile(a, dirs);
    const t0 = Date.now();
    await writeReport(file, dirs);
    const kb = Math.round(fs.statSync(file).size / 1024);
    process.stderr.write(`tfnas: wrote ${file} (${dirs.length} run${dirs.length > 1 ? 's' : ''}, ${kb} KB, ${((Date.now() - t0) / 1000).toFixed(1)} s)\n`);
  },
};
