/**
 * `tfnas worker`: takes jobs from the queue and runs them with the CLI's own code: a trial builds
 * the search's evaluator exactly as `tfnas search` does (src/api/search-blackbox.ts) and scores one candidate; a
 * run job is a whole `tfnas search|train|bench nb201` in a child process (so a long step cannot
 * stall the job's lock, and a cancel or shutdown can stop it). Every job is validated first
 * (payload.ts); a job whose input is wrong fails at once, without retries. BullMQ renews each job's
 * lock; a worker killed outright loses it, and another worker takes the job after `lockDuration`.
 * SIGTERM (cli/worker.ts): no new jobs; runs are handed back (their child is stopped, its last checkpoint
 * kept, and the job returns to the queue; the next worker continues it with --resume); trials finish within the
 * grace period or are handed back too.
 */
import { Worker, UnrecoverableError, WaitingError, type Job } from 'bullmq';
import IORedis from 'ioredis';
import * as os from 'os';
import { randomBytes } from 'crypto';
import { parseQueueUrl, QUEUE_NAME, redactUrl } from './connection';
import { checkJobData, type JobData, type WorkerRoots } from './payload';
import { runJob, type RunContext } from './run-job';
import { probeJob, trialJob, type TrialContext } from './trial';
import { beat, HEARTBEAT_MS, workerKey, type WorkerInfo } from './workers';

const ERROR_LOG_MS = 10000;

export interface WorkerOptions {
  url: string;
  concurrency: number;
  backend: string;
  roots: WorkerRoots;
  /** ms a job's lock lasts without renewal: how soon a dead worker's job is taken over. */
  lockDuration: number;
  log?: (line: string) => void;
}

export interface RunningWorker {
  id: string;
  /** Jobs finished here so far. */
  stats(): { completed: number; failed: number };
  /** Stops taking jobs; hands back what has not finished after `graceMs`. */
  close(graceMs: number): Promise<void>;
}

/** Input errors: the same job would fail the same way on every attempt. */
function isInputError(e: unknown): boolean {
  const name = (e as Error)?.name;
  return name === 'TfnasError' || name === 'UsageError' || name === 'DataFileError' || name === 'UnrecoverableError';
}

type Processor = (data: JobData, job: Job, ctx: TrialContext & RunContext) => Promise<unknown>;
/** One processor per job kind. */
const PROCESSORS: Record<JobData['kind'], Processor> = {
  trial: (d, _job, ctx) => trialJob(d as Extract<JobData, { kind: 'trial' }>, ctx),
  probe: (d, _job, ctx) => probeJob(d as Extract<JobData, { kind: 'probe' }>, ctx),
  run: (d, job, ctx) => runJob(d as Extract<JobData, { kind: 'run' }>, job, ctx),
};

export async function startWorker(o: WorkerOptions): Promise<RunningWorker> {
  const connection = parseQueueUrl(o.url);
  const id = `${os.hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  const log = o.log ?? ((line: string) => process.stderr.write(`tfnas: worker ${id}: ${line}\n`));
  const redis = new IORedis(connection);
  const info: WorkerInfo = { id, host: os.hostname(), pid: process.pid, concurrency: o.concurrency, backend: o.backend, started: new Date().toISOString(), active: [], completed: 0, failed: 0 };
  const handBack = new Map<string, () => void>();
  const running = new Map<string, { job: Job; token?: string }>();
  let closing = false;
  const ctx: TrialContext & RunContext = {
    roots: o.roots,
    backend: o.backend,
    workerId: id,
    redis,
    evaluators: new Map(),
    onHandBack: (jobId, f) => (f ? handBack.set(jobId, f) : handBack.delete(jobId)),
    closing: () => closing,
  };
  const worker = new Worker(
    QUEUE_NAME,
    async (job: Job, token?: string) => {
      let data: JobData;
      try {
        data = checkJobData(job.data);
      } catch (e) {
        throw new UnrecoverableError((e as Error).message);
      }
      info.active.push({ id: String(job.id), name: job.name, since: new Date().toISOString() });
      running.set(String(job.id), { job, token });
      try {
        return await PROCESSORS[data.kind](data, job, ctx);
      } catch (e) {
        if (closing && (e as Error).name === 'HandBack') {
          await job.moveToWait(token);
          throw new WaitingError();
        }
        if (isInputError(e)) throw new UnrecoverableError((e as Error).message);
        throw e;
      } finally {
        info.active = info.active.filter((a) => a.id !== String(job.id));
        running.delete(String(job.id));
      }
    },
    { connection, concurrency: o.concurrency, lockDuration: o.lockDuration, stalledInterval: o.lockDuration, maxStalledCount: 2, name: id, autorun: false },
  );
  worker.on('completed', () => void info.completed++);
  worker.on('failed', (job, err) => {
    info.failed++;
    log(`job ${job?.id} failed: ${err.message}`);
  });
  // While Redis is away BullMQ retries every few hundred ms; say so once per ERROR_LOG_MS, not on every retry.
  let lastErrorLog = 0;
  const noteError = (err: Error) => {
    if (Date.now() - lastErrorLog < ERROR_LOG_MS) return;
    lastErrorLog = Date.now();
    log(`queue error (retrying): ${err.message}`);
  };
  worker.on('error', noteError);
  redis.on('error', noteError);
  await beat(redis, info);
  const heartbeat = setInterval(() => void beat(redis, info).catch(() => undefined), HEARTBEAT_MS);
  void worker.run();
  await worker.waitUntilReady();
  log(`taking jobs from ${redactUrl(o.url)} (concurrency ${o.concurrency}, data ${o.roots.dataDir}, work ${o.roots.workDir})`);
  return {
    id,
    stats: () => ({ completed: info.completed, failed: info.failed }),
    async close(graceMs) {
      closing = true;
      const closed = worker.close();
      for (const f of handBack.values()) f();
      const timedOut = await Promise.race([closed.then(() => false), new Promise<boolean>((r) => setTimeout(() => r(true), graceMs).unref())]);
      if (timedOut) {
        log(`jobs still running after ${graceMs / 1000} s; handing them back`);
        await Promise.allSettled([...running.values()].map(({ job, token }) => job.moveToWait(token)));
        await worker.close(true);
      }
      clearInterval(heartbeat);
      await redis.del(workerKey(id)).catch(() => undefined);
      redis.disconnect();
    },
  };
}
