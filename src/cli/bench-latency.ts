import type { Argv, CommandModule } from 'yargs';
import { benchLatency, BENCH_LATENCY_OPTIONS } from '../api/bench-latency';
import { cliOptions, printJsonSummary } from './common';
import { addOptions } from './options';

/** `tfnas bench latency`: the latency table of a space's ops on a backend, and the predictor's check (the library's `benchLatency`). */
export const benchLatencyCommand: CommandModule = {
  command: 'latency',
  describe: 'Forward latency of every candidate op at every position of the network, into a latency table (e.g. tfnas bench latency --space nb201 --backend wasm)',
  builder: (y: Argv) =>
    addOptions(y, BENCH_LATENCY_OPTIONS)
      .example('flock /tmp/tfnas-bench.lock tfnas bench latency --space darts --backend wasm --json', 'table + Spearman of the predictor on 50 random cells')
      .example('tfnas bench latency --space nb201 --backend wasm --validate 0 --out nb201.json', 'the table only')
      .example('tfnas bench latency --space nb201 --browser webgl', 'measured in headless Chromium on its WebGL backend') as never,
  handler: async (argv) => {
    const o = cliOptions(argv as Record<string, unknown>, BENCH_LATENCY_OPTIONS);
    // Progress lines are indented and unprefixed, as before; the backend line reads `tfnas: backend …`.
    const r = await benchLatency({ ...o, log: (line) => process.stderr.write(line.startsWith('  ') ? `${line}\n` : `tfnas: ${line}\n`) });
    for (const line of r.text) (argv.json ? process.stderr : process.stdout).write(line + '\n');
    if (!argv.json) return;
    if (r.kind === 'cells') {
      const { kind, text, ...summary } = r;
      void kind, void text;
      return printJsonSummary(summary);
    }
    const { kind, text, table, validation, ...summary } = r;
    void kind, void text, void table, void validation;
    printJsonSummary(summary);
  },
};
