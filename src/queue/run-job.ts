/**
 * A run job: one whole tfnas command (`search`, `train`, `bench nb201`) in a child process with the
 * worker's work folder as its current directory, no shell, and the job's checked options. Its JSON
 * summary and the small files of its run folder (history, logs, best.json, genotype.json,
 * metrics.json: not checkpoints or model weights) are the job's result, so a coordinator without
 * a shared file system gets them through the queue (`tfnas queue status --fetch DIR`).
 */
import { spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import type { Job } from 'bullmq';
import type IORedis from 'ioredis';
import { UsageError } from '../io/errors';
import { PASSWORD_ENV } from './connection';
import { checkCommand, type RunJob, type WorkerRoots } from './payload';
import { cancelKey, HEARTBEAT_MS } from './workers';

export interface RunContext {
  roots: WorkerRoots;
  backend: string;
  workerId: string;
  redis: IORedis;
  /** Registers (or, with no function, drops) how to stop a running job when the worker shuts down. */
  onHandBack(jobId: string, f?: () => void): void;
  closing(): boolean;
}

export interface RunResult {
  command: string;
  summary: Record<string, unknown> | null;
  /** Run folder relative to the worker's work folder. */
  runDir: string | null;
  /** Small text files of the run folder, by name. */
  files: Record<string, string>;
  worker: string;
  seconds: number;
}

const FILE_LIMIT = 1 << 20;
const FILES_TOTAL_LIMIT = 4 << 20;
const TAIL_CHARS = 8000;
/** Progress lines sent to the queue at most this often. */
const PROGRESS_MS = 1000;

/** The tfnas CLI entry point beside this file (dist/cli/main.js, or src/cli/main.ts under ts-node). */
function cliCommand(): { exec: string; args: string[]; env: NodeJS.ProcessEnv } {
  const ts = __filename.endsWith('.ts');
  const main = path.join(__dirname, '..', 'cli', ts ? 'main.ts' : 'main.js');
  if (!ts) return { exec: process.execPath, args: [main], env: {} };
  // From the sources (development, tests): the same CLI through ts-node, wherever the job's folder is.
  const project = path.join(__dirname, '..', '..', 'tsconfig.json');
  return { exec: process.execPath, args: ['-r', require.resolve('ts-node/register/transpile-only'), main], env: { TS_NODE_PROJECT: project } };
}

/** The run folder's small result files (top level only; checkpoints and models stay on disk). */
export function resultFiles(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  let total = 0;
  if (!fs.existsSync(dir)) return out;
  for (const f of fs.readdirSync(dir).sort()) {
    const file = path.join(dir, f);
    if (!/\.(json|csv|txt)$/.test(f) || f.startsWith('.') || f === 'checkpoint.json') continue;
    const st = fs.statSync(file);
    if (!st.isFile() || st.size > FILE_LIMIT || total + st.size > FILES_TOTAL_LIMIT) continue;
    out[f] = fs.readFileSync(file, 'utf8');
    total += st.size;
  }
  return out;
}

function tail(s: string): string {
  return s.length > TAIL_CHARS ? s.slice(-TAIL_CHARS) : s;
}

function lastLine(s: string): string {
  const lines = s.split(/\r?\n/).filter((l) => l.trim() !== '');
  return lines[lines.length - 1] ?? '';
}

function childEnv(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra };
  delete env[PASSWORD_ENV];
  return env;
}

export async function runJob(d: RunJob, job: Job, ctx: RunContext): Promise<RunResult> {
  const cmd = checkCommand(d.argv, ctx.roots);
  const again = job.attemptsStarted > 1 || job.stalledCounter > 0 || job.attemptsMade > 0;
  const words = [...cmd.argv.filter((w) => !/^--(no-)?(json|resume)(=|$)|^--backend=/.test(w)), `--backend=${ctx.backend}`, '--json'];
  // A job started before (its worker died or handed it back) continues its run folder.
  if (cmd.spec.resumable && (again || cmd.options.resume === true)) words.push('--resume');
  const { exec, args, env } = cliCommand();
  const t0 = performance.now();
  const child = spawn(exec, [...args, ...words], { cwd: ctx.roots.workDir, env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  const { code, out, err, stop } = await watch(child, job, ctx);
  const seconds = Number(((performance.now() - t0) / 1000).toFixed(2));
  if (stop === 'cancel') throw new UsageError('cancelled by tfnas queue cancel');
  if (stop === 'handback') throw Object.assign(new Error('handed back'), { name: 'HandBack' });
  if (code !== 0) {
    const msg = `tfnas ${cmd.name} exited with code ${code}: ${lastLine(err) || 'no message'}`;
    throw code === 2 ? new UsageError(msg) : new Error(msg);
  }
  let summary: Record<string, unknown> | null = null;
  try {
    summary = JSON.parse(lastLine(out)) as Record<string, unknown>;
  } catch {
    summary = null;
  }
  const dir = summary ? String(summary.out ?? summary.run_dir ?? '') : '';
  const abs = dir ? path.resolve(ctx.roots.workDir, dir) : null;
  return {
    command: cmd.name,
    summary,
    runDir: abs ? path.relative(ctx.roots.workDir, abs) : null,
    files: abs ? resultFiles(abs) : {},
    worker: ctx.workerId,
    seconds,
  };
}

/** Waits for the child, forwarding its last stderr line as progress and stopping it on cancel or shutdown. */
function watch(child: ChildProcess, job: Job, ctx: RunContext): Promise<{ code: number | null; out: string; err: string; stop: 'cancel' | 'handback' | null }> {
  let out = '';
  let err = '';
  let stop: 'cancel' | 'handback' | null = null;
  let sent = 0;
  child.stdout!.on('data', (b: Buffer) => (out = tail(out + b.toString())));
  child.stderr!.on('data', (b: Buffer) => {
    err = tail(err + b.toString());
    if (Date.now() - sent > PROGRESS_MS) {
      sent = Date.now();
      void job.updateProgress({ line: lastLine(err).slice(0, 500) }).catch(() => undefined);
    }
  });
  const id = String(job.id);
  ctx.onHandBack(id, () => {
    stop = 'handback';
    child.kill('SIGTERM');
  });
  const poll = setInterval(() => {
    void ctx.redis.get(cancelKey(id)).then((v) => {
      if (v !== null && stop === null) {
        stop = 'cancel';
        child.kill('SIGTERM');
      }
    }, () => undefined);
  }, HEARTBEAT_MS);
  return new Promise((resolve) => {
    child.on('close', (code) => {
      clearInterval(poll);
      ctx.onHandBack(id);
      resolve({ code, out, err, stop });
    });
  });
}
