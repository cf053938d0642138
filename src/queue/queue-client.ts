/**
 * The producer's side of the job queue (BullMQ on Redis): submitting trials, probes and runs,
 * following their results by event (QueueEvents, a Redis stream) and by direct look-up, and the
 * workers' heartbeats. Used by the search coordinator and `tfnas queue`.
 */
import { Queue, QueueEvents, type Job, type JobsOptions } from 'bullmq';
import IORedis from 'ioredis';
import { UsageError } from '../io/errors';
import { parseQueueUrl, QUEUE_NAME, redactUrl } from './connection';
import type { JobData, ProbeJob, TrialJob } from './payload';
import { liveWorkers } from './workers';

export interface TrialResult {
  /** The architecture the worker scored (the job's; the coordinator records this one). */
  key: string;
  signal: number;
  testAccuracy?: number;
  worker: string;
  seconds: number;
}

export interface ProbeResult {
  name: string;
  describe: Record<string, string | number>;
}

export type Finished = { result?: TrialResult; error?: string };
export type TrialState = { kind: 'missing' } | { kind: 'pending' } | { kind: 'finished'; outcome: Finished };

/**
 * Retries of a trial that failed for a reason other than its input (a worker's crash, a lost
 * connection); failures of the input itself end the job at once (UnrecoverableError, worker.ts).
 */
export const TRIAL_JOB_OPTIONS: JobsOptions = { attempts: 3, backoff: { type: 'exponential', delay: 500 }, removeOnComplete: false, removeOnFail: false };
/** Whole runs: kept a week after they end, for `tfnas queue status`. */
export const RUN_JOB_OPTIONS: JobsOptions = { attempts: 3, backoff: { type: 'exponential', delay: 5000 }, removeOnComplete: { age: 7 * 24 * 3600 }, removeOnFail: { age: 7 * 24 * 3600 } };
/** How long the worker count that sizes the coordinator's in-flight window is cached. */
const SLOTS_CACHE_MS = 1000;
/** A probe waits this long for a worker before telling the user it is still waiting. */
const PROBE_NOTICE_MS = 15000;

/** How long the first connection may take before the command gives up (later outages are waited out). */
export const CONNECT_TIMEOUT_MS = 10000;

export function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  const t = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ms / 1000} s`)), ms)));
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

function parseValue<T>(v: unknown): T {
  return (typeof v === 'string' ? JSON.parse(v) : v) as T;
}

export interface QueueHandle {
  queue: Queue;
  redis: IORedis;
  probe(argv: string[]): Promise<ProbeResult>;
  submitTrial(id: string, data: TrialJob): Promise<void>;
  submitTrials(jobs: { id: string; data: TrialJob }[]): Promise<void>;
  onFinished(cb: (jobId: string, outcome: Finished) => void): void;
  trialState(id: string): Promise<TrialState>;
  remove(id: string): Promise<void>;
  workerSlots(): Promise<number>;
  close(): Promise<void>;
}

/** A failed job's error and how many attempts it had (bounded: TRIAL_JOB_OPTIONS, or one for bad input). */
function failureText(job: Job): string {
  return `${job.failedReason || 'failed'} (attempts: ${job.attemptsMade})`;
}

/**
 * A job's state, and its outcome once it has finished. The state is read first and the job after
 * it: a job read while it runs lacks the result (or error) it gets when it finishes.
 */
async function jobState(queue: Queue, id: string): Promise<TrialState> {
  const state = await queue.getJobState(id);
  if (state === 'unknown') return { kind: 'missing' };
  if (state !== 'completed' && state !== 'failed') return { kind: 'pending' };
  const job = (await queue.getJob(id)) as Job | undefined;
  if (!job) return { kind: 'missing' };
  return { kind: 'finished', outcome: state === 'completed' ? { result: parseValue<TrialResult>(job.returnvalue) } : { error: failureText(job) } };
}

export async function openQueue(url: string): Promise<QueueHandle> {
  const connection = parseQueueUrl(url);
  // Connection errors while Redis is away are retried (retryStrategy); the last one is kept for the message below.
  let lastError = '';
  const redis = new IORedis(connection);
  redis.on('error', (err) => (lastError = err.message));
  // Reached (and the password accepted) before BullMQ opens its own connections, which would retry forever.
  try {
    await withTimeout(redis.ping(), CONNECT_TIMEOUT_MS);
  } catch (e) {
    redis.disconnect();
    throw new UsageError(`--queue: cannot reach ${redactUrl(url)}: ${lastError || (e as Error).message}`);
  }
  const queue = new Queue(QUEUE_NAME, { connection });
  const events = new QueueEvents(QUEUE_NAME, { connection });
  queue.on('error', (err) => (lastError = err.message));
  events.on('error', (err) => (lastError = err.message));
  await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
  let slots = { at: 0, n: 0 };
  const handle: QueueHandle = {
    queue,
    redis,
    async probe(argv) {
      const data: ProbeJob = { kind: 'probe', argv };
      // Kept until read: a probe removed on completion could finish before waitUntilFinished looks.
      const job = await queue.add('probe', data, { attempts: 1, removeOnComplete: { age: 3600 }, removeOnFail: { age: 3600 } });
      const notice = setInterval(() => process.stderr.write(`tfnas: waiting for a worker on ${redactUrl(url)} (start one with: tfnas worker --queue URL)\n`), PROBE_NOTICE_MS);
      try {
        const result = parseValue<ProbeResult>(await job.waitUntilFinished(events));
        await job.remove().catch(() => undefined);
        return result;
      } catch (e) {
        throw new UsageError(`--queue: the worker refused the search: ${(e as Error).message}`);
      } finally {
        clearInterval(notice);
      }
    },
    async submitTrial(id, data) {
      await queue.add('trial', data, { ...TRIAL_JOB_OPTIONS, jobId: id });
    },
    async submitTrials(jobs) {
      await queue.addBulk(jobs.map((j) => ({ name: 'trial', data: j.data as JobData, opts: { ...TRIAL_JOB_OPTIONS, jobId: j.id } })));
    },
    onFinished(cb) {
      events.on('completed', ({ jobId, returnvalue }) => cb(jobId, { result: parseValue<TrialResult>(returnvalue) }));
      events.on('failed', ({ jobId, failedReason }) => {
        void queue.getJob(jobId).then(
          (job) => cb(jobId, { error: job ? failureText(job as Job) : failedReason }),
          () => cb(jobId, { error: failedReason }),
        );
      });
    },
    trialState: (id) => jobState(queue, id),
    async remove(id) {
      await queue.remove(id).catch(() => undefined);
    },
    async workerSlots() {
      if (Date.now() - slots.at > SLOTS_CACHE_MS) slots = { at: Date.now(), n: (await liveWorkers(redis)).reduce((s, w) => s + w.concurrency, 0) };
      return slots.n;
    },
    async close() {
      await Promise.allSettled([queue.close(), events.close()]);
      redis.disconnect();
    },
  };
  return handle;
}
