import * as fs from 'fs';
import * as path from 'path';
import type { Argv, CommandModule } from 'yargs';
import { badArgument } from '../io/errors';
import { startWorker } from '../queue/worker';
import { BACKEND_OPTION } from './common';
import { addOptions, checks, CONFIG_OPTION, readOptions, type OptionSpecs } from './options';

/** Every option of `tfnas worker` (see options.ts). */
export const WORKER_OPTIONS = {
  queue: { type: 'string', demand: true, describe: 'redis://[user:password@]host:port[/db] or rediss:// (TLS); the password may come from TFNAS_REDIS_PASSWORD instead' },
  concurrency: { type: 'number', default: 1, check: checks.int(1), describe: 'jobs run at once' },
  'data-dir': { type: 'string', default: 'data', describe: 'the only folder jobs may read data from (tables, datasets); relative job paths start here' },
  'work-dir': { type: 'string', default: '.', describe: 'the folder run folders are written to (relative --out start here); jobs run inside it' },
  'lock-seconds': { type: 'number', default: 30, check: checks.positive, describe: 'a job\'s lock lasts this long without renewal: a killed worker\'s job is taken over after it' },
  'grace-seconds': { type: 'number', default: 30, check: checks.positive, describe: 'on SIGTERM, trials may finish for this long before they are handed back' },
  ...BACKEND_OPTION,
  ...CONFIG_OPTION,
} as const satisfies OptionSpecs;

function folder(name: string, dir: string): string {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) badArgument(name, 'an existing folder', dir);
  return path.resolve(dir);
}

/** `tfnas worker`: runs queued trials and runs until SIGTERM/SIGINT (src/queue/worker.ts). */
export const workerCommand: CommandModule = {
  command: 'worker',
  describe: 'Take trials and runs from a Redis job queue (e.g. tfnas worker --queue redis://host:6379 --concurrency 2)',
  builder: (y: Argv) =>
    addOptions(y, WORKER_OPTIONS)
      .example('tfnas worker --queue redis://127.0.0.1:6379 --concurrency 2', 'take two jobs at a time from a local Redis')
      .example('TFNAS_REDIS_PASSWORD=… tfnas worker --queue rediss://queue.example:6380 --data-dir /data', 'TLS, the password from the environment, data read only under /data') as never,
  handler: async (argv) => {
    const a = readOptions(argv as Record<string, unknown>, WORKER_OPTIONS, 'worker');
    const concurrency = a.concurrency;
    const roots = { dataDir: folder('data-dir', a.dataDir), workDir: folder('work-dir', a.workDir) };
    const w = await startWorker({ url: a.queue, concurrency, backend: a.backend, roots, lockDuration: Math.round(a.lockSeconds * 1000) });
    await new Promise<void>((resolve) => {
      const stop = (sig: string) => {
        process.stderr.write(`tfnas: worker ${w.id}: ${sig}: finishing or handing back its jobs\n`);
        void w.close(a.graceSeconds * 1000).then(resolve);
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
    });
    process.stderr.write(`tfnas: worker ${w.id}: stopped\n`);
  },
};
