/**
 * `report(options)`: what `tfnas report` does, as a library call: one self-contained HTML page with
 * the curves, α and cells of one or several run folders.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { OptionSpecs } from '../cli/options';
import { TfnasError } from '../io/errors';
import { REPORT_FILE, writeReport } from '../report/report';
import { expandRunDirs } from '../report/runs';
import { readApiOptions, type ApiOptions } from './options';

/** The options of `tfnas report` besides the run folders (see src/cli/options.ts). */
export const REPORT_OPTIONS = {
  out: { type: 'string', describe: 'HTML file to write (atomically)', defaultDescription: 'RUN/report.html for a single run' },
} as const satisfies OptionSpecs;

export type ReportOptions = ApiOptions<typeof REPORT_OPTIONS> & {
  /** Run folders of search, train or bench nb201, or folders holding such run folders. */
  runs: string[];
};

export interface ReportResult {
  file: string;
  runs: string[];
  bytes: number;
  seconds: number;
}

/** Where the page goes: `out`, else report.html in the one run folder. */
function outFile(out: string | undefined, dirs: string[]): string {
  if (out !== undefined) {
    if (out.trim() === '' || out.endsWith('/') || (fs.existsSync(out) && fs.statSync(out).isDirectory())) {
      throw new TfnasError(`--out: expected an HTML file name such as compare.html, got ${JSON.stringify(out)}`);
    }
    return out;
  }
  if (dirs.length > 1) throw new TfnasError(`--out: needed with several runs (${dirs.length} found); e.g. --out compare.html`);
  return path.join(dirs[0], REPORT_FILE);
}

/** Draws the runs as one offline HTML page; resolves with where it went. */
export async function report(options: ReportOptions): Promise<ReportResult> {
  const { runs, ...rest } = options;
  const { values: a } = readApiOptions(rest as Record<string, unknown>, REPORT_OPTIONS, 'report');
  if (!Array.isArray(runs) || runs.length === 0) throw new TfnasError('runs: expected one or more run folders', { option: 'runs', code: 'BAD_OPTION' });
  const dirs = expandRunDirs(runs.map(String));
  const file = outFile(a.out, dirs);
  const t0 = Date.now();
  await writeReport(file, dirs);
  return { file, runs: dirs, bytes: fs.statSync(file).size, seconds: (Date.now() - t0) / 1000 };
}
