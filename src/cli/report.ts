import * as fs from 'fs';
import * as path from 'path';
import type { Argv, CommandModule } from 'yargs';
import { UsageError } from '../io/errors';
import { REPORT_FILE, writeReport } from '../report/report';
import { expandRunDirs } from '../report/runs';

interface Args {
  runs: string[];
  out?: string;
}

/** Where the page goes: --out, else report.html in the one run folder. */
function outFile(a: Args, dirs: string[]): string {
  if (a.out !== undefined) {
    if (Array.isArray(a.out)) throw new UsageError(`--out: given ${(a.out as unknown[]).length} times; expected it once`);
    if (a.out.trim() === '' || a.out.endsWith('/') || (fs.existsSync(a.out) && fs.statSync(a.out).isDirectory())) {
      throw new UsageError(`--out: expected an HTML file name such as compare.html, got ${JSON.stringify(a.out)}`);
    }
    return a.out;
  }
  if (dirs.length > 1) throw new UsageError(`--out: needed with several runs (${dirs.length} found); e.g. --out compare.html`);
  return path.join(dirs[0], REPORT_FILE);
}

/** `tfnas report`: one offline HTML page with the curves, α and cells of one or several runs. */
export const reportCommand: CommandModule<object, Args> = {
  command: 'report <runs..>',
  describe: 'Draw runs as one self-contained HTML page (e.g. tfnas report results/search/darts/cifar10/seed-0)',
  builder: (y: Argv) =>
    y
      .positional('runs', { type: 'string', array: true, describe: 'run folders of search, train or bench nb201, or folders holding such run folders' })
      .option('out', { type: 'string', describe: 'HTML file to write (atomically); default RUN/report.html for a single run' })
      .example('tfnas report results/search/darts/cifar10/seed-0', 'writes report.html into the run folder')
      .example('tfnas report results/search/nb201/cifar10/evolution-seed-* --out evolution.html', 'seeds overlaid, mean ± std') as never,
  handler: async (argv) => {
    const dirs = expandRunDirs(argv.runs.map(String));
    const file = outFile(argv, dirs);
    const t0 = Date.now();
    await writeReport(file, dirs);
    const kb = Math.round(fs.statSync(file).size / 1024);
    process.stderr.write(`tfnas: wrote ${file} (${dirs.length} run${dirs.length > 1 ? 's' : ''}, ${kb} KB, ${((Date.now() - t0) / 1000).toFixed(1)} s)\n`);
  },
};
