/**
 * `tfnas queue submit|status|cancel`: batches of whole runs on the queue. Commands are checked
 * against their option spec when submitted (paths again on the worker, against its folders).
 */
import * as fs from 'fs';
import * as path from 'path';
import type { Job } from 'bullmq';
import { writeFileAtomic } from '../io/atomic';
import { UsageError } from '../io/errors';
import { commandOf, parseWithSpec, type RunJob } from './payload';
import { RUN_JOB_OPTIONS, type QueueHandle } from './queue-client';
import type { RunResult } from './run-job';
import { cancelKey, liveWorkers, type WorkerInfo } from './workers';

const STATES = ['waiting', 'prioritized', 'delayed', 'active', 'completed', 'failed'] as const;
/** Runs listed by status (newest first). */
const MAX_LISTED = 200;
const CANCEL_MARK_SECONDS = 24 * 3600;

/** Splits a command line into words: whitespace separates, '…' and "…" quote (no shell, no expansion). */
export function splitWords(line: string): string[] {
  const out: string[] = [];
  let cur: string | null = null;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quote) {
      if (ch === quote) quote = null;
      else if (ch === '\\' && quote === '"' && i + 1 < line.length) cur += line[++i];
      else cur += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      cur ??= '';
    } else if (/\s/.test(ch)) {
      if (cur !== null) out.push(cur);
      cur = null;
    } else cur = (cur ?? '') + ch;
  }
  if (quote) throw new UsageError(`--command: unbalanced ${quote} in ${JSON.stringify(line)}`);
  if (cur !== null) out.push(cur);
  return out;
}

/** `0,1,2` or `0-4` (or a mix) → seeds. */
export function parseSeeds(text: string): number[] {
  const seeds: number[] = [];
  for (const part of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) throw new UsageError(`--seeds: expected a list like 0,1,2 or 0-4, got ${JSON.stringify(text)}`);
    const [a, b] = [Number(m[1]), Number(m[2] ?? m[1])];
    if (b < a || b - a > 10000) throw new UsageError(`--seeds: ${part} is not an increasing range of at most 10000 seeds`);
    for (let s = a; s <= b; s++) seeds.push(s);
  }
  return seeds;
}

/** The commands of a batch, each checked against its spec; with seeds, one command per seed. */
export function batchCommands(lines: string[], seeds: number[] | null): string[][] {
  const commands = lines.map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#')).map((l) => splitWords(l.replace(/^tfnas\s+/, '')));
  if (commands.length === 0) throw new UsageError('--command/--file: no command to submit');
  const out: string[][] = [];
  for (const words of commands) {
    const { spec, rest } = commandOf(words);
    parseWithSpec(spec, rest);
    if (!seeds) out.push(words);
    else if (rest.some((w) => /^--seed(=|$)/.test(w))) throw new UsageError(`--seeds: the command ${JSON.stringify(words.join(' '))} sets --seed itself`);
    else for (const s of seeds) out.push([...words, `--seed=${s}`]);
  }
  return out;
}

export async function submitBatch(q: QueueHandle, batch: string, commands: string[][]): Promise<string[]> {
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(batch)) throw new UsageError(`--batch: expected letters, digits, _ . - (at most 64), got ${JSON.stringify(batch)}`);
  const jobs = commands.map((argv, i) => ({ name: 'run', data: { kind: 'run', argv } as RunJob, opts: { ...RUN_JOB_OPTIONS, jobId: `r-${batch}-${i + 1}` } }));
  const added = await q.queue.addBulk(jobs);
  return added.map((j) => String(j.id));
}

export interface RunStatus {
  id: string;
  state: string;
  command: string;
  worker: string | null;
  progress: string | null;
  result: Record<string, unknown> | null;
  error: string | null;
}

export interface QueueStatus {
  counts: Record<string, number>;
  workers: WorkerInfo[];
  runs: RunStatus[];
}

async function runStatus(job: Job): Promise<RunStatus> {
  const r = job.returnvalue as RunResult | null;
  const p = job.progress as { line?: string } | number;
  return {
    id: String(job.id),
    state: await job.getState(),
    command: (job.data as RunJob).argv.join(' '),
    worker: job.processedBy ?? null,
    progress: typeof p === 'object' && p?.line ? p.line : null,
    result: r?.summary ?? null,
    error: job.failedReason || null,
  };
}

export async function queueStatus(q: QueueHandle, batch?: string): Promise<QueueStatus> {
  const counts = await q.queue.getJobCounts(...STATES);
  const jobs = (await q.queue.getJobs([...STATES], 0, MAX_LISTED * 4, false)).filter((j): j is Job => !!j && j.name === 'run');
  const mine = jobs
    .filter((j) => !batch || String(j.id).startsWith(`r-${batch}-`))
    .slice(0, MAX_LISTED)
    .sort((a, b) => a.timestamp - b.timestamp || String(a.id).localeCompare(String(b.id), 'en', { numeric: true }));
  return { counts, workers: await liveWorkers(q.redis), runs: await Promise.all(mine.map(runStatus)) };
}

/** Writes the result files of the finished runs into `dir/<job id>/`. */
export async function fetchResults(q: QueueHandle, runs: RunStatus[], dir: string): Promise<number> {
  let n = 0;
  for (const r of runs.filter((x) => x.state === 'completed')) {
    const job = (await q.queue.getJob(r.id)) as Job | undefined;
    const files = (job?.returnvalue as RunResult | undefined)?.files ?? {};
    for (const [name, text] of Object.entries(files)) {
      if (path.basename(name) !== name || name.startsWith('.')) continue;
      writeFileAtomic(path.join(dir, r.id, name), text);
    }
    if (Object.keys(files).length > 0) n++;
  }
  fs.mkdirSync(dir, { recursive: true });
  return n;
}

/** The headline numbers of a run's JSON summary (search, train or bench). */
function briefly(r: Record<string, unknown>): string {
  const keys = ['queries', 'signal', 'test_accuracy', 'epochs', 'best', 'out', 'run_dir'];
  return keys.filter((k) => r[k] !== undefined && r[k] !== null).map((k) => `${k} ${typeof r[k] === 'object' ? JSON.stringify(r[k]) : String(r[k])}`).join(', ');
}

export function formatStatus(s: QueueStatus): string {
  const lines = [`jobs: ${STATES.map((st) => `${st} ${s.counts[st] ?? 0}`).join(', ')}`];
  lines.push(`workers: ${s.workers.length}`);
  for (const w of s.workers) {
    const active = w.active.map((a) => `${a.name} ${a.id}`).join(', ') || 'idle';
    lines.push(`  ${w.id}  concurrency ${w.concurrency}  backend ${w.backend}  done ${w.completed}  failed ${w.failed}  running: ${active}`);
  }
  if (s.runs.length > 0) lines.push('runs:');
  for (const r of s.runs) {
    const detail = r.error ?? (r.result ? briefly(r.result) : r.progress ?? '');
    lines.push(`  ${r.id}  ${r.state}${r.worker ? ` on ${r.worker}` : ''}  tfnas ${r.command}${detail ? `\n      ${detail}` : ''}`);
  }
  return lines.join('\n');
}

/** Cancels run jobs: waiting ones are removed, running ones are stopped by their worker. */
export async function cancelRuns(q: QueueHandle, ids: string[]): Promise<{ id: string; outcome: string }[]> {
  const out: { id: string; outcome: string }[] = [];
  for (const id of ids) {
    const job = (await q.queue.getJob(id)) as Job | undefined;
    if (!job || job.name !== 'run') {
      out.push({ id, outcome: 'no such run job' });
      continue;
    }
    const state = await job.getState();
    if (state === 'active') {
      await q.redis.set(cancelKey(id), '1', 'EX', CANCEL_MARK_SECONDS);
      out.push({ id, outcome: 'stopping (its worker ends it within seconds)' });
    } else if (state === 'completed' || state === 'failed') out.push({ id, outcome: `already ${state}` });
    else {
      await job.remove();
      out.push({ id, outcome: 'removed' });
    }
  }
  return out;
}

/** Ids of the unfinished run jobs (of one batch, or all). */
export async function unfinishedRuns(q: QueueHandle, batch?: string): Promise<string[]> {
  const jobs = await q.queue.getJobs(['waiting', 'prioritized', 'delayed', 'active'], 0, -1, true);
  return jobs.filter((j) => j && j.name === 'run' && (!batch || String(j.id).startsWith(`r-${batch}-`))).map((j) => String(j.id));
}
