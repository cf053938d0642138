import type { CommandModule } from 'yargs';
import { benchOpsCommand } from './bench-ops-command';
import { benchNb201Command } from './bench-nb201';
import { benchNb101Command } from './bench-nb101';
import { benchDartsNb201Command } from './bench-darts-nb201';
import { benchLatencyCommand } from './bench-latency';

/** `tfnas bench <what>`: the benchmarks, one subcommand module each. */
export const benchCommand: CommandModule = {
  command: 'bench <what>',
  describe: 'Benchmarks: candidate-op speed, searchers on NAS-Bench-201 and NAS-Bench-101 (e.g. tfnas bench ops --backend wasm)',
  builder: (y) =>
    y
      .command(benchOpsCommand as any) // eslint-disable-line @typescript-eslint/no-explicit-any
      .command(benchNb201Command as any) // eslint-disable-line @typescript-eslint/no-explicit-any
      .command(benchNb101Command as any) // eslint-disable-line @typescript-eslint/no-explicit-any
      .command(benchDartsNb201Command as any) // eslint-disable-line @typescript-eslint/no-explicit-any
      .command(benchLatencyCommand as any) // eslint-disable-line @typescript-eslint/no-explicit-any
      .demandCommand(1)
      .example('tfnas bench nb201 --runs 20 --budget 150', 'the searchers on NAS-Bench-201 (minutes)')
      .example('tfnas bench nb101 --runs 20 --budget 150', 'the searchers on NAS-Bench-101 (needs the official file)')
      .example('tfnas bench latency --space darts --backend wasm', 'latency table of every op, predictor checked on 50 random cells')
      .example('tfnas bench ops --backend wasm', 'forward+backward time of each candidate op') as never,
  handler: () => undefined,
};
