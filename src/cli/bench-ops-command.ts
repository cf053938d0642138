import type { Argv, CommandModule } from 'yargs';
import { benchOps, BENCH_OPS_OPTIONS } from '../api/bench-ops';
import { cliOptions, printJsonSummary } from './common';
import { addOptions } from './options';

/** `tfnas bench ops`: forward+backward time of each DARTS candidate op and of one mixed edge (the library's `benchOps`). */
export const benchOpsCommand: CommandModule = {
  command: 'ops',
  describe: 'Forward+backward time of each DARTS candidate op and a mixed edge (e.g. tfnas bench ops --backend wasm)',
  builder: (y: Argv) =>
    addOptions(y, BENCH_OPS_OPTIONS)
      .example('tfnas bench ops --backend wasm', 'every op at batch 32, C=16, 32x32')
      .example('tfnas bench ops --backend wasm --stride 2 --ops sep_conv_3x3 mixed_edge', 'reduction-cell edges') as never,
  handler: async (argv) => {
    const o = cliOptions(argv as Record<string, unknown>, BENCH_OPS_OPTIONS);
    const say = (line: string) => (argv.json ? process.stderr.write(line + '\n') : console.log(line));
    // The per-op lines are indented and unprefixed, as before; the backend line reads `tfnas: backend …`.
    const r = await benchOps({ ...o, log: (line) => process.stderr.write(line.startsWith('  ') ? `${line}\n` : `tfnas: ${line}\n`) });
    const edge = r.recompute ? 'recomputed' : 'kept';
    say(`batch ${r.batch}, ${r.size}×${r.size}, ${r.channels} channels, stride ${r.stride}, mixed edge forward ${edge} for the backward: median of ${r.repeats} after ${r.warmup} warm-up`);
    say(r.text);
    if (argv.json) {
      const { text, ...summary } = r;
      void text;
      printJsonSummary(summary);
    }
  },
};
