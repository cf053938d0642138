/**
 * `tfnas search --strategy … --queue URL`: the black-box search loop with its candidates evaluated
 * by `tfnas worker`s. The coordinator's run folder stays the source of truth: history.csv (one row
 * per finished trial, in the order results were recorded), best.json, and checkpoint.json, which
 * also lists the trials in flight. Trial job ids are `t-<run>-<ask>`, so a resumed coordinator
 * re-attaches to its trials (adding an existing id is a no-op in BullMQ), records those that
 * finished meanwhile, and re-submits any Redis lost; nothing is evaluated twice or dropped.
 */
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { badArgument } from '../io/errors';
import { writeJsonAtomic } from '../io/atomic';
import type { Row } from '../io/csv';
import { Progress } from '../io/progress';
import type { BlackBoxArgs } from '../api/search-blackbox';
import { writeRunConfig, type RunRecord } from '../io/run-config';
import type { Evaluator } from '../search/evaluators/registry';
import { QUEUE_SCHEDULE } from '../search/blackbox/registry';
import { HISTORY_COLUMNS, identity, openRun, removeStaleTemps, summarizeRun, type BestSoFar, type Checkpoint, type RunConfig, type RunSummary } from '../search/blackbox/run';
import { redactUrl } from './connection';
import { toArgv } from '../cli/options';
import { openQueue, type QueueHandle, type TrialResult } from './queue-client';

/** history.csv of a queued search: the in-process columns, then the ask number, the worker, its seconds and any error. */
export const QUEUE_HISTORY_COLUMNS = [...HISTORY_COLUMNS, 'ask', 'worker', 'seconds', 'error'];
/** Options of the coordinator's own command line that a worker does not get. */
const COORDINATOR_ONLY = new Set(['queue', 'in-flight', 'resume', 'json', 'dry-run', 'backend', 'help', 'version']);
/** A trial whose result has not arrived by event after this long is looked up directly (a missed event, a Redis restart). */
const RECONCILE_MS = 1000;

interface Outcome {
  ask: number;
  result?: TrialResult;
  error?: string;
}

/**
 * The run folder as workers name it inside their --work-dir (for the files a trial writes, e.g. the
 * train evaluator's candidates/): the coordinator's --out relative to its current folder when it
 * lies inside it (the default results/search/… does), else its last component.
 */
export function workerOut(outDir: string, cwd = process.cwd()): string {
  const abs = path.resolve(cwd, outDir);
  const rel = path.relative(cwd, abs);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : path.basename(abs);
}

/** The `tfnas search` options a worker needs to build the same evaluator (paths are resolved on the worker). */
export function trialArgv(argv: Record<string, unknown>, outDir: string): string[] {
  return toArgv({ ...argv, out: workerOut(outDir) }, COORDINATOR_ONLY);
}

function remoteEvaluator(name: string, describe: Record<string, string | number>): Evaluator {
  return {
    name,
    describe,
    queries: 0,
    evaluate: () => Promise.reject(new Error('a queued search evaluates on its workers')),
  };
}

export async function runQueuedSearch(argv: Record<string, unknown>, a: BlackBoxArgs, record?: RunRecord): Promise<RunSummary> {
  const url = String(argv.queue);
  const inFlightOpt = argv['in-flight'];
  if (inFlightOpt !== undefined && !(Number.isInteger(inFlightOpt) && (inFlightOpt as number) >= 1)) badArgument('in-flight', 'an integer ≥ 1', inFlightOpt);
  const q = await openQueue(url);
  try {
    const words = trialArgv(argv, a.outDir);
    process.stderr.write(`tfnas: queue ${redactUrl(url)}: asking a worker for the ${a.evaluatorName} evaluator\n`);
    const probe = await q.probe(words);
    const c: RunConfig = {
      strategy: a.strategy,
      space: a.space,
      evaluator: remoteEvaluator(probe.name, probe.describe),
      budget: a.budget,
      seed: a.seed,
      outDir: a.outDir,
      resume: Boolean(argv.resume),
      searcherOptions: a.searcherOptions,
      quiet: false,
      record,
    };
    return await new QueuedSearch(c, q, words, inFlightOpt as number | undefined).run();
  } finally {
    await q.close();
  }
}

class QueuedSearch {
  private readonly opened;
  private readonly run0: string;
  private asked: number;
  private told: number;
  private best: BestSoFar | null;
  private readonly keys = new Map<number, string>();
  private readonly since = new Map<number, number>();
  private readonly arrived = new Map<number, Outcome>();
  private readonly order: number[] = [];
  private readonly sync: boolean;
  private chain: Promise<void> = Promise.resolve();
  private flushQueued = false;
  private failure: Error | null = null;
  private progress!: Progress;
  private done!: () => void;

  constructor(private readonly c: RunConfig, private readonly q: QueueHandle, private readonly words: string[], private readonly inFlight?: number) {
    this.opened = openRun(c, QUEUE_HISTORY_COLUMNS, true);
    const ck: Checkpoint | undefined = this.opened.checkpoint;
    this.run0 = ck?.queue?.run ?? randomBytes(6).toString('hex');
    this.told = this.opened.start;
    this.asked = ck?.queue?.asked ?? this.told;
    this.best = this.opened.best;
    for (const t of ck?.queue?.inFlight ?? []) this.keys.set(t.ask, t.key);
    this.sync = QUEUE_SCHEDULE[c.strategy as keyof typeof QUEUE_SCHEDULE] === 'synchronous';
  }

  private jobId(ask: number): string {
    return `t-${this.run0}-${ask}`;
  }

  async run(): Promise<RunSummary> {
    fs.mkdirSync(this.c.outDir, { recursive: true });
    removeStaleTemps(this.c.outDir);
    // config.json as an in-process search writes it, with the queue URL's password masked in the command line.
    const r = this.c.record;
    if (r) writeRunConfig(this.c.outDir, { ...r, argv: r.argv.map(redactUrl), command_line: redactUrl(r.command_line) }, { evaluator: this.c.evaluator.describe }, this.told > 0);
    this.progress = new Progress(`search ${this.c.strategy} (queue)`, this.c.budget, process.stderr, this.c.quiet);
    this.progress.update(this.told);
    const finished = new Promise<void>((resolve) => (this.done = resolve));
    this.q.onFinished((jobId, outcome) => this.arrive(jobId, outcome));
    // Trials in flight when the last coordinator stopped: submitted again (a no-op if Redis has them) and looked up.
    for (const [ask, key] of this.keys) await this.q.submitTrial(this.jobId(ask), { kind: 'trial', argv: this.words, ask, key });
    this.enqueue(() => this.reconcile(0));
    this.enqueue(async () => {
      if ((await this.fill()) > 0) this.checkpoint();
    });
    const timer = setInterval(() => this.enqueue(() => this.reconcile(RECONCILE_MS)), RECONCILE_MS);
    try {
      if (this.told >= this.c.budget) this.done();
      await finished;
      await this.chain;
      if (this.failure) throw this.failure;
    } finally {
      clearInterval(timer);
      this.progress.stop();
    }
    const summary = summarizeRun(this.c, this.best, this.told);
    writeJsonAtomic(path.join(this.c.outDir, 'best.json'), summary);
    return summary;
  }

  /** Runs handlers one at a time, in order; the first error stops the search. */
  private enqueue(f: () => Promise<void> | void): void {
    this.chain = this.chain.then(f).catch((e) => {
      this.failure ??= e as Error;
      this.done();
    });
  }

  private pendingCount(): number {
    return this.keys.size;
  }

  /**
   * Asks new candidates while the budget, the in-flight limit and the searcher's schedule allow, and
   * submits them; the caller writes the checkpoint (a crash before it re-asks the same candidates
   * under the same job ids: the searcher's state has not moved).
   */
  private async fill(): Promise<number> {
    const limit = this.inFlight ?? Math.max(1, await this.q.workerSlots());
    const s = this.opened.searcher;
    const jobs: { id: string; ask: number; key: string }[] = [];
    while (this.asked < this.c.budget && this.pendingCount() < limit && s.capacity(this.pendingCount()) > 0) {
      const key = s.space.key(await s.ask());
      this.asked++;
      this.keys.set(this.asked, key);
      jobs.push({ id: this.jobId(this.asked), ask: this.asked, key });
    }
    if (jobs.length === 0) return 0;
    await this.q.submitTrials(jobs.map((j) => ({ id: j.id, data: { kind: 'trial', argv: this.words, ask: j.ask, key: j.key } })));
    const now = Date.now();
    for (const j of jobs) this.since.set(j.ask, now);
    return jobs.length;
  }

  private askOf(jobId: string): number | null {
    const m = /^t-([0-9a-f]+)-(\d+)$/.exec(jobId);
    return m && m[1] === this.run0 ? Number(m[2]) : null;
  }

  /** Notes a result; results that arrive together are recorded together by one flush (one write of each file). */
  private arrive(jobId: string, o: { result?: TrialResult; error?: string }): void {
    const ask = this.askOf(jobId);
    if (ask === null || !this.keys.has(ask) || this.arrived.has(ask)) return;
    this.arrived.set(ask, { ask, ...o });
    this.order.push(ask);
    if (!this.flushQueued) {
      this.flushQueued = true;
      this.enqueue(() => this.flush());
    }
  }

  private async flush(): Promise<void> {
    this.flushQueued = false;
    const recorded = this.record();
    if (recorded.length === 0) return;
    await this.fill();
    this.checkpoint();
    for (const a of recorded) void this.q.remove(this.jobId(a));
    if (this.told >= this.c.budget) this.done();
  }

  /** Tells the searcher what arrived: in arrival order (asynchronous) or in ask order (synchronous). */
  private record(): number[] {
    const out: number[] = [];
    const rows: Row[] = [];
    for (;;) {
      const next = this.sync ? Math.min(...this.keys.keys()) : this.order[0];
      const o = next === undefined ? undefined : this.arrived.get(next);
      if (!o) break;
      this.order.splice(this.order.indexOf(o.ask), 1);
      this.arrived.delete(o.ask);
      // The job's own key: after a crash between submitting and checkpointing, a re-asked candidate may differ.
      rows.push(this.tell(o, o.result?.key ?? this.keys.get(o.ask)!));
      this.keys.delete(o.ask);
      this.since.delete(o.ask);
      out.push(o.ask);
    }
    if (rows.length > 0) {
      this.opened.log.append(...rows);
      this.progress.update(this.told, this.best ? { best: this.best.signal } : {});
    }
    return out;
  }

  /** Tells the searcher one result (a failed trial only counts) and returns its history row. */
  private tell(o: Outcome, key: string): Row {
    const s = this.opened.searcher;
    this.told++;
    const r = o.result;
    if (r) {
      s.tell(s.space.fromKey(key), r.signal);
      if (!this.best || r.signal > this.best.signal) this.best = { key, signal: r.signal, testAccuracy: r.testAccuracy };
    } else process.stderr.write(`tfnas: trial ${o.ask} (${key}) failed: ${o.error}\n`);
    return {
      query: this.told,
      architecture: key,
      signal: r?.signal,
      test_accuracy: r?.testAccuracy,
      best_signal: this.best?.signal,
      best_architecture: this.best?.key,
      best_test_accuracy: this.best?.testAccuracy,
      ask: o.ask,
      worker: r?.worker,
      seconds: r?.seconds,
      error: o.error,
    };
  }

  private checkpoint(): void {
    const inFlight = [...this.keys].sort((x, y) => x[0] - y[0]).map(([ask, key]) => ({ ask, key }));
    const ck: Checkpoint = {
      version: 1,
      config: identity(this.c),
      queries: this.told,
      best: this.best,
      searcher: this.opened.searcher.state(),
      queue: { run: this.run0, asked: this.asked, inFlight },
    };
    writeJsonAtomic(path.join(this.c.outDir, 'checkpoint.json'), ck);
    writeJsonAtomic(path.join(this.c.outDir, 'best.json'), summarizeRun(this.c, this.best, this.told));
  }

  /** Looks up trials in flight for longer than `olderThan` ms: finished ones are recorded, lost ones re-submitted. */
  private async reconcile(olderThan: number): Promise<void> {
    const now = Date.now();
    for (const [ask, key] of [...this.keys]) {
      if (this.arrived.has(ask) || now - (this.since.get(ask) ?? 0) < olderThan) continue;
      const state = await this.q.trialState(this.jobId(ask));
      if (state.kind === 'missing') {
        await this.q.submitTrial(this.jobId(ask), { kind: 'trial', argv: this.words, ask, key });
        this.since.set(ask, Date.now());
      } else if (state.kind === 'finished') this.arrive(this.jobId(ask), state.outcome);
    }
    if (this.keys.size === 0 && this.asked < this.c.budget && (await this.fill()) > 0) this.checkpoint();
  }
}
