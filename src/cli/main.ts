#!/usr/bin/env node
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { COMMANDS } from './commands';
import { UsageError } from '../io/errors';
import { setCommandLine } from '../io/run-config';
import { releaseWebgpu } from '../backend/webgpu';

/** The first single-valued flag that `args` gives twice (under any of its names), or null. */
export function repeatedFlag(args: string[], o: { array: string[]; alias: Record<string, string[]> }): string | null {
  const canonical = new Map<string, string>();
  for (const [name, aliases] of Object.entries(o.alias)) for (const a of [name, ...aliases]) if (!canonical.has(a)) canonical.set(a, name);
  const arrays = new Set(o.array.map((a) => canonical.get(a) ?? a));
  const seen = new Set<string>();
  for (const t of args) {
    if (t === '--') break;
    const m = /^--(?:no-)?([^=]+)/.exec(t);
    if (!m) continue;
    const name = canonical.get(m[1]) ?? m[1];
    if (arrays.has(name)) continue;
    if (seen.has(name)) return name;
    seen.add(name);
  }
  return null;
}

/** Builds the CLI; exported so tests can run commands in-process. */
export function buildCli(argv: string[]) {
  let y = yargs(argv)
    .scriptName('tfnas')
    .usage('$0 <command> [options]\n\nNeural architecture search on TensorFlow.js.')
    .strict()
    .demandCommand(1, 'name a command (see tfnas --help)')
    .recommendCommands()
    .help()
    .alias('h', 'help')
    .wrap(Math.min(120, process.stdout.columns || 100))
    .fail((msg, err) => {
      throw err ?? new UsageError(msg);
    });
  for (const c of COMMANDS) y = y.command(c);
  // A single-valued flag given twice is an error in every command: yargs would add the numbers
  // (--layers 3 --layers 1 builds 4 cells) or make an array. Aliases count as the same flag.
  return y.middleware(((_: unknown, inst: { getOptions(): { array: string[]; alias: Record<string, string[]> } }) => {
    const flag = repeatedFlag(argv, inst.getOptions());
    if (flag) throw new UsageError(`--${flag}: given more than once; expected it once`);
  }) as never, true);
}

export async function main(argv: string[]): Promise<number> {
  setCommandLine(argv);
  try {
    await buildCli(argv).parseAsync();
    return 0;
  } catch (e) {
    const err = e as Error;
    const usage = err instanceof UsageError || err?.name === 'YError';
    process.stderr.write(`tfnas: error: ${err?.message ?? String(e)}\n`);
    if (!usage && process.env.TFNAS_DEBUG) process.stderr.write(`${err?.stack}\n`);
    return usage ? 2 : 1;
  }
}

if (require.main === module) {
  // Started by `tfnas worker` (with an IPC channel): end with the worker, even when it is killed outright.
  // (The channel must not keep the process alive once the command is done.)
  if (process.send) {
    process.on('disconnect', () => process.exit(1));
    process.channel?.unref();
  }
  main(hideBin(process.argv)).then((code) => {
    process.exitCode = code;
    // Dawn's instance (backend webgpu) would keep the process alive after the command is done.
    releaseWebgpu();
  });
}
