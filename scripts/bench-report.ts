/**
 * Speed and size of `tfnas report` on large runs (issue #14: "render in seconds, a page under a
 * few MB"): a 600-epoch retraining log, a 50-epoch DARTS search (2 cells × 14 edges × 8 ops in
 * alphas.csv), a 200-epoch search (α heatmaps averaged in blocks), and ten 50-epoch seeds overlaid.
 *
 *   npm run bench:report            # or: npx ts-node --transpile-only scripts/bench-report.ts
 *
 * Run folders are synthetic (src/report/test-utils/fixtures.ts) in the layout the runs write.
 * Prints, per case, the wall time of building and writing the page (median of 3) and its size.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { writeReport } from '../src/report/report';
import { writeSearchRun, writeTrainRun } from '../src/report/test-utils/fixtures';

interface Case {
  name: string;
  make: (dir: string) => string[];
}

const CASES: Case[] = [
  { name: 'retraining, 600 epochs', make: (d) => (writeTrainRun(d, { totalEpochs: 600 }), [d]) },
  { name: 'DARTS search, 50 epochs × 28 edges × 8 ops', make: (d) => (writeSearchRun(d, { totalEpochs: 50 }), [d]) },
  { name: 'DARTS search, 200 epochs', make: (d) => (writeSearchRun(d, { totalEpochs: 200 }), [d]) },
  {
    name: '10 DARTS searches (seeds), 50 epochs each',
    make: (d) =>
      Array.from({ length: 10 }, (_, s) => {
        const run = path.join(d, `seed-${s}`);
        fs.mkdirSync(run);
        writeSearchRun(run, { totalEpochs: 50, seed: s });
        return run;
      }),
  },
];

async function main(): Promise<void> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tfnas-bench-report-'));
  try {
    console.log('| case | seconds (median of 3) | page size |\n|---|---|---|');
    for (const [i, c] of CASES.entries()) {
      const dir = path.join(root, `case-${i}`);
      fs.mkdirSync(dir);
      const runs = c.make(dir);
      const file = path.join(dir, 'report.html');
      const times: number[] = [];
      for (let k = 0; k < 3; k++) {
        const t0 = process.hrtime.bigint();
        await writeReport(file, runs);
        times.push(Number(process.hrtime.bigint() - t0) / 1e9);
      }
      times.sort((a, b) => a - b);
      console.log(`| ${c.name} | ${times[1].toFixed(2)} | ${(fs.statSync(file).size / 1024 / 1024).toFixed(2)} MB |`);
    }
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
