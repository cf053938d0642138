import type { Argv, CommandModule } from 'yargs';
import { report, REPORT_OPTIONS } from '../api/report';
import { cliOptions } from './common';
import { addOptions } from './options';

/** `tfnas report`: one offline HTML page with the curves, α and cells of one or several runs (the library's `report`). */
export const reportCommand: CommandModule = {
  command: 'report <runs..>',
  describe: 'Draw runs as one self-contained HTML page (e.g. tfnas report results/search/darts/cifar10/seed-0)',
  builder: (y: Argv) =>
    addOptions(y, REPORT_OPTIONS)
      .positional('runs', { type: 'string', array: true, describe: 'run folders of search, train or bench nb201, or folders holding such run folders' })
      .example('tfnas report results/search/darts/cifar10/seed-0', 'writes report.html into the run folder')
      .example('tfnas report results/search/nb201/cifar10/evolution-seed-* --out evolution.html', 'seeds overlaid, mean ± std') as never,
  handler: async (argv) => {
    const r = await report({ ...cliOptions(argv as Record<string, unknown>, REPORT_OPTIONS), runs: (argv.runs as unknown[]).map(String) });
    const kb = Math.round(r.bytes / 1024);
    process.stderr.write(`tfnas: wrote ${r.file} (${r.runs.length} run${r.runs.length > 1 ? 's' : ''}, ${kb} KB, ${r.seconds.toFixed(1)} s)\n`);
  },
};
