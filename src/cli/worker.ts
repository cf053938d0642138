import * as fs from 'fs';
import * as path from 'path';
import type { Argv, CommandModule } from 'yargs';
import { badArgument } from '../io/errors';
import { startWorker } from '../queue/worker';
import { backendOption, type BackendArgs } from './common';

interface WorkerArgs extends BackendArgs {
  queue: string;
  concurrency: number;
  'data-dir': string;
  'work-dir': string;
  'lock-seconds': number;
  'grace-seconds': number;
}

function folder(name: string, dir: string): string {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) badArgument(name, 'an existing folder', dir);
  return path.resolve(dir);
}

/** `tfnas worker`: runs queued trials and runs until SIGTERM/SIGINT (src/queue/worker.ts). */
export const workerCommand: CommandModule<object, WorkerArgs> = {
  command: 'worker',
  describe: 'Take trials and runs from a Redis job queue (e.g. tfnas worker --queue redis://host:6379 --concurrency 2)',
  builder: (y: Argv) =>
    backendOption(
      y
        .option('queue', { type: 'string', demandOption: true, describe: 'redis://[user:password@]host:port[/db] or rediss:// (TLS); the password may come from TFNAS_REDIS_PASSWORD instead' })
        .option('concurrency', { type: 'number', default: 1, describe: 'jobs run at once' })
        .option('data-dir', { type: 'string', default: 'data', describe: 'the only folder jobs may read data from (tables, datasets); relative job paths start here' })
        .option('work-dir', { type: 'string', default: '.', describe: 'the folder run folders are written to (relative --out start here); jobs run inside it' })
        .option('lock-seconds', { type: 'number', default: 30, describe: 'a job\'s lock lasts this long without renewal: a killed worker\'s job is taken over after it' })
        .option('grace-seconds', { type: 'number', default: 30, describe: 'on SIGTERM, trials may finish for this long before they are handed back' })
        .example('tfnas worker --queue redis://127.0.0.1:6379 --concurrency 2', 'take two jobs at a time from a local Redis')
        .example('TFNAS_REDIS_PASSWORD=… tfnas worker --queue rediss://queue.example:6380 --data-dir /data', 'TLS, the password from the environment, data read only under /data'),
    ) as never,
  handler: async (a) => {
    const concurrency = a.concurrency;
    if (!Number.isInteger(concurrency) || concurrency < 1) badArgument('concurrency', 'an integer ≥ 1', concurrency);
    for (const k of ['lock-seconds', 'grace-seconds'] as const) if (!(a[k] > 0)) badArgument(k, 'a number of seconds > 0', a[k]);
    const roots = { dataDir: folder('data-dir', a['data-dir']), workDir: folder('work-dir', a['work-dir']) };
    const w = await startWorker({ url: a.queue, concurrency, backend: a.backend, roots, lockDuration: Math.round(a['lock-seconds'] * 1000) });
    await new Promise<void>((resolve) => {
      const stop = (sig: string) => {
        process.stderr.write(`tfnas: worker ${w.id}: ${sig}: finishing or handing back its jobs\n`);
        void w.close(a['grace-seconds'] * 1000).then(resolve);
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
    });
    process.stderr.write(`tfnas: worker ${w.id}: stopped\n`);
  },
};
