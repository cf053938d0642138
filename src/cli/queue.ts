import * as fs from 'fs';
import type { Argv, CommandModule } from 'yargs';
import { UsageError } from '../io/errors';
import { openQueue } from '../queue/queue-client';
import { batchCommands, cancelRuns, fetchResults, formatStatus, parseSeeds, queueStatus, submitBatch, unfinishedRuns } from '../queue/runs';
import { JSON_OPTION, printJsonSummary } from './common';
import { addOptions, readOptions, type OptionSpecs } from './options';

/** `--queue`, which every queue action takes; never recorded (it may hold a password). */
const QUEUE_OPTION = {
  queue: { type: 'string', demand: true, record: false, describe: 'redis://[user:password@]host:port[/db] or rediss://; password also from TFNAS_REDIS_PASSWORD' },
} as const satisfies OptionSpecs;

const SUBMIT_OPTIONS = {
  ...QUEUE_OPTION,
  command: { type: 'strings', describe: 'a tfnas command, e.g. "search --strategy evolution --space nb201 --budget 150" (repeatable)' },
  file: { type: 'string', describe: 'a file with one tfnas command per line (# comments)' },
  seeds: { type: 'string', describe: 'run each command once per seed: 0,1,2 or 0-4 (adds --seed)' },
  batch: { type: 'string', describe: 'batch name: job ids are r-<batch>-<n>', defaultDescription: 'the time' },
  ...JSON_OPTION,
} as const satisfies OptionSpecs;

const STATUS_OPTIONS = {
  ...QUEUE_OPTION,
  batch: { type: 'string', describe: 'only the runs of this batch' },
  fetch: { type: 'string', describe: 'write the result files of finished runs to DIR/<job id>/' },
  ...JSON_OPTION,
} as const satisfies OptionSpecs;

const CANCEL_OPTIONS = {
  ...QUEUE_OPTION,
  batch: { type: 'string', describe: 'every unfinished run of this batch' },
  all: { type: 'boolean', default: false, describe: 'every unfinished run' },
} as const satisfies OptionSpecs;

async function withQueue<T>(url: string, f: (q: Awaited<ReturnType<typeof openQueue>>) => Promise<T>): Promise<T> {
  const q = await openQueue(url);
  try {
    return await f(q);
  } finally {
    await q.close();
  }
}

const submit: CommandModule = {
  command: 'submit',
  describe: 'Submit whole runs (tfnas search|train|bench nb201 commands), optionally one per seed',
  builder: (y: Argv) =>
    addOptions(y, SUBMIT_OPTIONS)
      .example('tfnas queue submit --queue redis://127.0.0.1:6379 --command "search --strategy evolution --space nb201 --budget 150" --seeds 0-4', 'five seeds of a search')
      .example('tfnas queue submit --queue redis://127.0.0.1:6379 --file runs.txt --batch paper', 'one run per line of runs.txt') as never,
  handler: async (argv: Record<string, unknown>) => {
    const a = readOptions(argv, SUBMIT_OPTIONS, 'queue submit');
    const lines = [...(a.command ?? [])];
    if (a.file) lines.push(...fs.readFileSync(a.file, 'utf8').split(/\r?\n/));
    const commands = batchCommands(lines, a.seeds !== undefined ? parseSeeds(a.seeds) : null);
    const batch = a.batch ?? new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');
    const ids = await withQueue(a.queue, (q) => submitBatch(q, batch, commands));
    if (a.json) printJsonSummary({ batch, jobs: ids });
    else ids.forEach((id, i) => console.log(`${id}  tfnas ${commands[i].join(' ')}`));
  },
};

const status: CommandModule = {
  command: 'status',
  describe: 'Jobs per state, the live workers and what they run, the runs and their results',
  builder: (y: Argv) =>
    addOptions(y, STATUS_OPTIONS)
      .example('tfnas queue status --queue redis://127.0.0.1:6379 --batch paper --fetch results/queue', 'the batch\'s jobs, and the files of its finished runs') as never,
  handler: async (argv: Record<string, unknown>) => {
    const a = readOptions(argv, STATUS_OPTIONS, 'queue status');
    await withQueue(a.queue, async (q) => {
      const s = await queueStatus(q, a.batch);
      if (a.fetch) process.stderr.write(`tfnas: results of ${await fetchResults(q, s.runs, a.fetch)} runs in ${a.fetch}\n`);
      if (a.json) printJsonSummary(s);
      else console.log(formatStatus(s));
    });
  },
};

const cancel: CommandModule = {
  command: 'cancel [ids..]',
  describe: 'Cancel run jobs: waiting ones are removed, running ones stopped',
  builder: (y: Argv) =>
    addOptions(y, CANCEL_OPTIONS)
      .positional('ids', { type: 'string', array: true, describe: 'job ids (r-<batch>-<n>)' })
      .example('tfnas queue cancel --queue redis://127.0.0.1:6379 --batch paper', 'every unfinished run of the batch') as never,
  handler: async (argv: Record<string, unknown>) => {
    const a = readOptions(argv, CANCEL_OPTIONS, 'queue cancel');
    const given = ((argv.ids as string[] | undefined) ?? []).map(String);
    if (given.length === 0 && !a.batch && !a.all) throw new UsageError('cancel: name job ids, --batch NAME or --all');
    await withQueue(a.queue, async (q) => {
      const ids = given.length > 0 ? given : await unfinishedRuns(q, a.all ? undefined : a.batch);
      for (const r of await cancelRuns(q, ids)) console.log(`${r.id}  ${r.outcome}`);
    });
  },
};

/** `tfnas queue submit|status|cancel`: whole runs on the job queue (src/queue/runs.ts). */
export const queueCommand: CommandModule = {
  command: 'queue <action>',
  describe: 'Submit, watch and cancel runs on a Redis job queue (e.g. tfnas queue status --queue redis://host:6379)',
  builder: (y) =>
    y
      .command(submit as any) // eslint-disable-line @typescript-eslint/no-explicit-any
      .command(status as any) // eslint-disable-line @typescript-eslint/no-explicit-any
      .command(cancel as any) // eslint-disable-line @typescript-eslint/no-explicit-any
      .demandCommand(1)
      .example('tfnas queue status --queue redis://127.0.0.1:6379', 'jobs per state and the live workers') as never,
  handler: () => undefined,
};
