/**
 * The black-box search loop and its run folder: `history.csv` (one row per query), `best.json`,
 * and `checkpoint.json` (the searcher's whole state after the last query), all written atomically
 * after every query, so an interrupted search resumes exactly where it stopped.
 */
import * as fs from 'fs';
import * as path from 'path';
import { readJson, writeJsonAtomic } from '../../io/atomic';
import { CsvLog } from '../../io/csv';
import { UsageError } from '../../io/errors';
import { LiveReport } from '../../report/live';
import { makeOutDir } from '../../io/out';
import { writeRunConfig, type RunRecord } from '../../io/run-config';
import { Progress } from '../../io/progress';
import { reportProgress, throwIfAborted } from '../../io/run-hooks';
import type { Genotype, SearchSpace } from '../../space/spaces';
import type { Evaluator } from '../evaluators/registry';
import { makeSearcher, restoreSearcher } from './registry';
import type { Searcher, SearcherOptions, SearcherState } from './searcher';

export const HISTORY_COLUMNS = ['query', 'architecture', 'signal', 'test_accuracy', 'best_signal', 'best_architecture', 'best_test_accuracy'];

export interface BestSoFar {
  key: string;
  signal: number;
  testAccuracy?: number;
}

export interface QueryRecord {
  query: number;
  key: string;
  signal: number;
  testAccuracy?: number;
  best: BestSoFar;
}

/**
 * Runs `searcher` against `evaluator` until `budget` queries have been made in total (counting
 * `startQuery` already made), or, with `budgetSeconds`, until the evaluator's simulated training
 * time exceeds it (the query that crosses it still counts, as in the NAS-Bench-101 notebook's
 * searches); calls `onQuery` after each one. The best is the searcher's best by signal; its test
 * accuracy is the evaluator's for that architecture.
 */
export async function searchLoop(
  searcher: Searcher<Genotype>,
  evaluator: Evaluator,
  budget: number,
  startQuery = 0,
  startBest: BestSoFar | null = null,
  onQuery: (r: QueryRecord) => void = () => undefined,
  budgetSeconds?: number,
): Promise<BestSoFar | null> {
  let best = startBest;
  for (let q = startQuery + 1; q <= budget; q++) {
    if (budgetSeconds !== undefined && (evaluator.seconds ?? 0) > budgetSeconds) break;
    throwIfAborted('the search'); // after the last query's checkpoint: resume asks this query again
    const g = await searcher.ask();
    const r = await evaluator.evaluate(g, q);
    searcher.tell(g, r.signal);
    const key = searcher.space.key(g);
    if (!best || r.signal > best.signal) best = { key, signal: r.signal, testAccuracy: r.testAccuracy };
    onQuery({ query: q, key, signal: r.signal, testAccuracy: r.testAccuracy, best });
    reportProgress({ kind: 'query', query: q, budget, values: { architecture: key, signal: r.signal, best_signal: best.signal, best_architecture: best.key } });
  }
  return best;
}

export interface RunConfig {
  strategy: string;
  space: SearchSpace<Genotype>;
  evaluator: Evaluator;
  budget: number;
  /** Simulated training seconds (evaluators that have them, nb101); `budget` may then be Infinity. */
  budgetSeconds?: number;
  seed: number;
  outDir: string;
  resume: boolean;
  searcherOptions?: Omit<SearcherOptions, 'seed'>;
  quiet?: boolean;
  /** Keep report.html in the run folder current as queries finish. */
  report?: boolean;
  /** The command's record for config.json (every option, versions, command line); written once the arguments are checked. */
  record?: RunRecord;
  /** Wraps the (new or restored) searcher, e.g. with a latency constraint (latency/constraint.ts). */
  wrapSearcher?: (s: Searcher<Genotype>) => Searcher<Genotype>;
}

export interface Checkpoint {
  version: 1;
  config: Record<string, unknown>;
  queries: number;
  best: BestSoFar | null;
  searcher: SearcherState;
  /** The evaluator's counters (nb101: simulated seconds), where it has any. */
  evaluator?: unknown;
  /** A search run through a job queue (src/queue/coordinator.ts): its id and the trials still in flight. */
  queue?: { run: string; asked: number; inFlight: { ask: number; key: string }[] };
}

export interface RunSummary {
  strategy: string;
  space: string;
  evaluator: string;
  seed: number;
  queries: number;
  best: string | null;
  genotype: Genotype | null;
  signal: number | null;
  test_accuracy: number | null;
  out: string;
  [k: string]: unknown;
}

/** What a resumed run must agree on (not the table's path: a moved table is the same table). */
export function identity(c: RunConfig): Record<string, unknown> {
  const { table, ...evaluatorIdentity } = c.evaluator.describe;
  void table;
  return { strategy: c.strategy, space: c.space.name, evaluator: c.evaluator.name, ...evaluatorIdentity, seed: c.seed, ...c.searcherOptions };
}

function readCheckpoint(file: string): Checkpoint {
  try {
    const ck = readJson<Checkpoint>(file);
    if (ck?.version !== 1 || typeof ck.queries !== 'number' || !ck.searcher) throw new Error(`${file} is not a tfnas search checkpoint (version 1)`);
    return ck;
  } catch (e) {
    throw new UsageError(`--resume: ${(e as Error).message}; delete the run folder or choose another --out`);
  }
}

export interface OpenedRun {
  searcher: Searcher<Genotype>;
  start: number;
  best: BestSoFar | null;
  log: CsvLog;
  checkpoint?: Checkpoint;
}

/** The searcher, log and progress of a new or resumed run folder; `queued`: the caller runs trials on a queue. */
export function openRun(c: RunConfig, columns = HISTORY_COLUMNS, queued = false): OpenedRun {
  const ckFile = path.join(c.outDir, 'checkpoint.json');
  const log = new CsvLog(path.join(c.outDir, 'history.csv'), columns);
  const opts = { seed: c.seed, ...c.searcherOptions };
  const wrap = c.wrapSearcher ?? ((s: Searcher<Genotype>) => s);
  if (fs.existsSync(c.outDir) && !fs.statSync(c.outDir).isDirectory()) throw new UsageError(`--out: ${c.outDir} is a file; expected a run folder`);
  if (!fs.existsSync(ckFile)) {
    if (c.resume && !c.quiet) process.stderr.write(`tfnas: --resume: no checkpoint in ${c.outDir}; starting a new search\n`);
    return { searcher: wrap(makeSearcher(c.strategy, c.space, opts)), start: 0, best: null, log };
  }
  if (!c.resume) throw new UsageError(`--out: ${c.outDir} already holds a search (checkpoint.json); pass --resume to continue it or choose another --out`);
  const ck = readCheckpoint(ckFile);
  const want = JSON.stringify(identity(c));
  if (JSON.stringify(ck.config) !== want) {
    throw new UsageError(`--resume: ${ckFile} was made with ${JSON.stringify(ck.config)}, not ${want}`);
  }
  if (c.budget < ck.queries) throw new UsageError(`--budget: the run in ${c.outDir} has already made ${ck.queries} queries; pass --budget ≥ ${ck.queries} to resume it`);
  if (!queued && ck.queue && ck.queue.inFlight.length > 0) {
    throw new UsageError(`--resume: ${c.outDir} is a search run on a job queue with ${ck.queue.inFlight.length} trials in flight; resume it with --queue URL`);
  }
  log.load().keepWhile((row) => Number(row.query) <= ck.queries);
  c.evaluator.restore?.(ck.evaluator);
  return { searcher: wrap(restoreSearcher(ck.searcher, c.space, opts)), start: ck.queries, best: ck.best, log, checkpoint: ck };
}

/**
 * Deletes the temporary files of atomic writes (`.tmp-<name>-<pid>-<time>`, io/atomic.ts) that a
 * killed run left in its folder; a temp file of a process still alive is kept.
 */
export function removeStaleTemps(dir: string): void {
  for (const f of fs.readdirSync(dir)) {
    const m = /^\.tmp-(?:checkpoint\.json|best\.json|history\.csv|config\.json|report\.html)-(\d+)-\d+$/.exec(f);
    if (m && !processAlive(Number(m[1]))) fs.rmSync(path.join(dir, f), { force: true });
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A killed process that its parent has not reaped yet (a zombie) still answers signal 0.
  try {
    return !/^\d+ \(.*\) Z/s.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

/** A whole search with its run folder; returns the summary also written to best.json. */
export async function runSearch(c: RunConfig): Promise<RunSummary> {
  const unlimited = c.budget === Infinity && c.budgetSeconds !== undefined;
  if (!unlimited && (!Number.isInteger(c.budget) || c.budget < 1)) throw new UsageError(`--budget: expected a positive integer, got ${c.budget}`);
  if (c.budgetSeconds !== undefined) {
    if (!(c.budgetSeconds > 0)) throw new UsageError(`--budget-seconds: expected a positive number of seconds, got ${c.budgetSeconds}`);
    if (c.evaluator.seconds === undefined) throw new UsageError(`--budget-seconds: the ${c.evaluator.name} evaluator simulates no training time; only nb101 does (use --budget, in queries)`);
  }
  // Everything that can reject the arguments (searcher options, --resume checks) runs before the
  // folder is made, so a bad command line leaves nothing behind.
  const { searcher, start, best: startBest, log } = openRun(c);
  const created = !fs.existsSync(c.outDir);
  makeOutDir(c.outDir);
  removeStaleTemps(c.outDir);
  if (c.record) writeRunConfig(c.outDir, c.record, { evaluator: c.evaluator.describe }, start > 0);
  try {
    return await runQueries(c, searcher, start, startBest, log);
  } catch (e) {
    // A search that failed before its first query leaves no empty run folder behind.
    if (created && fs.readdirSync(c.outDir).every((f) => f === 'config.json')) fs.rmSync(c.outDir, { recursive: true, force: true });
    throw e;
  }
}

/** best.json's content: the run's identity and its best architecture after `queries` queries. */
export function summarizeRun(c: RunConfig, best: BestSoFar | null, queries: number): RunSummary {
  return {
    strategy: c.strategy,
    space: c.space.name,
    evaluator: c.evaluator.name,
    ...c.evaluator.describe,
    seed: c.seed,
    queries,
    best: best?.key ?? null,
    genotype: best ? c.space.fromKey(best.key) : null,
    signal: best?.signal ?? null,
    test_accuracy: best?.testAccuracy ?? null,
    out: c.outDir,
  };
}

/** The query loop of runSearch: logs, checkpoints and best.json after every query. */
async function runQueries(c: RunConfig, searcher: Searcher<Genotype>, start: number, startBest: BestSoFar | null, log: CsvLog): Promise<RunSummary> {
  const bySeconds = c.budgetSeconds !== undefined;
  const progress = new Progress(`search ${c.strategy}${bySeconds ? ' (simulated s)' : ''}`, bySeconds ? Math.ceil(c.budgetSeconds!) : c.budget, process.stderr, c.quiet);
  const at = (q: number) => (bySeconds ? Math.round(Math.min(c.evaluator.seconds ?? 0, c.budgetSeconds!)) : q);
  const live = c.report ? new LiveReport(c.outDir) : null;
  progress.update(at(start));
  const summarize = (best: BestSoFar | null, queries: number) => summarizeRun(c, best, queries);
  let last = start;
  const best = await searchLoop(searcher, c.evaluator, c.budget, start, startBest, (r) => {
    last = r.query;
    log.append({
      query: r.query,
      architecture: r.key,
      signal: r.signal,
      test_accuracy: r.testAccuracy,
      best_signal: r.best.signal,
      best_architecture: r.best.key,
      best_test_accuracy: r.best.testAccuracy,
    });
    const ck: Checkpoint = { version: 1, config: identity(c), queries: r.query, best: r.best, searcher: searcher.state(), evaluator: c.evaluator.state?.() };
    writeJsonAtomic(path.join(c.outDir, 'checkpoint.json'), ck);
    writeJsonAtomic(path.join(c.outDir, 'best.json'), summarize(r.best, r.query));
    progress.update(at(r.query), { best: r.best.signal, ...(r.best.testAccuracy !== undefined ? { test: r.best.testAccuracy } : {}) });
    live?.poke();
  }, c.budgetSeconds);
  progress.stop();
  const summary = summarize(best, last);
  writeJsonAtomic(path.join(c.outDir, 'best.json'), summary);
  await live?.finish();
  return summary;
}
