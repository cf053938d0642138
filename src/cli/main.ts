#!/usr/bin/env node
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { COMMANDS } from './commands';
import { UsageError } from '../io/errors';
import { setCommandLine } from '../io/run-config';

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
  return y;
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
  main(hideBin(process.argv)).then((code) => {
    process.exitCode = code;
  });
}
