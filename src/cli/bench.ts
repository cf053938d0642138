import type { CommandModule } from 'yargs';
import { benchOpsCommand } from './bench-ops';
import { benchNb201Command } from './bench-nb201';
import { benchNb101Command } from './bench-nb101';

/** `tfnas bench <what>`: the benchmarks, one subcommand module each. */
export const benchCommand: CommandModule = {
  command: 'bench <what>',
  describe: 'Benchmarks: candidate-op speed, searchers on NAS-Bench-201 and NAS-Bench-101 (e.g. tfnas bench ops --backend wasm)',
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  builder: (y) => y.command(benchOpsCommand as any).command(benchNb201Command as any).command(benchNb101Command as any).demandCommand(1) as never,
  handler: () => undefined,
};
