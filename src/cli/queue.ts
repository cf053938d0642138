import * as fs from 'fs';
import type { Argv, CommandModule, Options, PositionalOptions } from 'yargs';
import { UsageError } from '../io/errors';
import { openQueue } from '../queue/queue-client';
import { batchCommands, cancelRuns, fetchResults, formatStatus, parseSeeds, queueStatus, submitBatch, unfinishedRuns } from '../queue/runs';
import { printJsonSummary } from './common';

const QUEUE: Options = { type: 'string', demandOption: true, describe: 'redis://[user:password@]host:port[/db] or rediss://; password also from TFNAS_REDIS_PASSWORD' };

/** A `tfnas queue` subcommand from its option spec (every one takes --queue). */
function action(command: string, describe: string, options: Record<string, Options>, handler: (a: Record<string, unknown>) => Promise<void>): CommandModule {
  const positional = /\[(\w+)\.\.\]/.exec(command)?.[1];
  return {
    command,
    describe,
    builder: (y: Argv) => {
      let b = y.options({ queue: QUEUE, ...Object.fromEntries(Object.entries(options).filter(([k]) => k !== positional)) });
      if (positional) b = b.positional(positional, options[positional] as PositionalOptions);
      return b as never;
    },
    handler: handler as never,
  };
}

async function withQueue<T>(url: string, f: (q: Awaited<ReturnType<typeof openQueue>>) => Promise<T>): Promise<T> {
  const q = await openQueue(url);
  try {
    return await f(q);
  } finally {
    await q.close();
  }
}

const submit = action(
  'submit',
  'Submit whole runs (tfnas search|train|bench nb201 commands), optionally one per seed',
  {
    command: { type: 'string', array: true, describe: 'a tfnas command, e.g. "search --strategy evolution --space nb201 --budget 150" (repeatable)' },
    file: { type: 'string', describe: 'a file with one tfnas command per line (# comments)' },
    seeds: { type: 'string', describe: 'run each command once per seed: 0,1,2 or 0-4 (adds --seed)' },
    batch: { type: 'string', describe: 'batch name: job ids are r-<batch>-<n> (default: the time)' },
    json: { type: 'boolean', default: false },
  },
  async (a) => {
    const lines = [...((a.command as string[] | undefined) ?? [])];
    if (a.file) lines.push(...fs.readFileSync(String(a.file), 'utf8').split(/\r?\n/));
    const commands = batchCommands(lines, a.seeds !== undefined ? parseSeeds(String(a.seeds)) : null);
    const batch = a.batch !== undefined ? String(a.batch) : new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');
    const ids = await withQueue(String(a.queue), (q) => submitBatch(q, batch, commands));
    if (a.json) printJsonSummary({ batch, jobs: ids });
    else ids.forEach((id, i) => console.log(`${id}  tfnas ${commands[i].join(' ')}`));
  },
);

const status = action(
  'status',
  'Jobs per state, the live workers and what they run, the runs and their results',
  {
    batch: { type: 'string', describe: 'only the runs of this batch' },
    fetch: { type: 'string', describe: 'write the result files of finished runs to DIR/<job id>/' },
    json: { type: 'boolean', default: false },
  },
  async (a) => {
    await withQueue(String(a.queue), async (q) => {
      const s = await queueStatus(q, a.batch as string | undefined);
      if (a.fetch) process.stderr.write(`tfnas: results of ${await fetchResults(q, s.runs, String(a.fetch))} runs in ${a.fetch}\n`);
      if (a.json) printJsonSummary(s);
      else console.log(formatStatus(s));
    });
  },
);

const cancel = action(
  'cancel [ids..]',
  'Cancel run jobs: waiting ones are removed, running ones stopped',
  {
    ids: { type: 'string', array: true, describe: 'job ids (r-<batch>-<n>)' },
    batch: { type: 'string', describe: 'every unfinished run of this batch' },
    all: { type: 'boolean', default: false, describe: 'every unfinished run' },
  },
  async (a) => {
    const given = ((a.ids as string[] | undefined) ?? []).map(String);
    if (given.length === 0 && !a.batch && !a.all) throw new UsageError('cancel: name job ids, --batch NAME or --all');
    await withQueue(String(a.queue), async (q) => {
      const ids = given.length > 0 ? given : await unfinishedRuns(q, a.all ? undefined : String(a.batch));
      for (const r of await cancelRuns(q, ids)) console.log(`${r.id}  ${r.outcome}`);
    });
  },
);

/** `tfnas queue submit|status|cancel`: whole runs on the job queue (src/queue/runs.ts). */
export const queueCommand: CommandModule = {
  command: 'queue <action>',
  describe: 'Submit, watch and cancel runs on a Redis job queue (e.g. tfnas queue status --queue redis://host:6379)',
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  builder: (y) => y.command(submit as any).command(status as any).command(cancel as any).demandCommand(1) as never,
  handler: () => undefined,
};
