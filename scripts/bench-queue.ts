/**
 * Overhead of the job queue per trial: the same random search on the NAS-Bench-201 table (a trial
 * is a table look-up, so nearly all of the queued time is the queue's) in one process, and through
 * a local redis-server with 1 and with 4 `tfnas worker` processes (loopback).
 *
 *   npm run bench:queue [-- --trials 500] [-- --repeats 3] [-- --table FILE]
 *
 * Needs redis-server (apt-get install redis-server). The table is ../shared/data/nb201/nb201.csv
 * when present, else a synthetic table in the real layout. Worker start-up and the first load of
 * the table on each worker are outside the timed runs (a warm-up search comes first). Each setup
 * runs `repeats` times (different output folders, same seed); the median is reported. Both loops
 * write history.csv, checkpoint.json and best.json atomically (fsync) after every trial, or, queued,
 * after every batch of results that arrive together.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { main } from '../src/cli/main';
import { sharedPath } from '../src/data/test-utils/shared';
import { loadNb201Table, Nb201Evaluator } from '../src/search/evaluators/registry';
import { runSearch } from '../src/search/blackbox/run';
import { writeSyntheticTable } from '../src/search/test-utils/synthetic';
import { getSpace } from '../src/space/spaces';
import { openQueue, withTimeout, type QueueHandle } from '../src/queue/queue-client';

const ROUND_TRIP_TIMEOUT_MS = 30000;
import { Rng } from '../src/space/rng';
import { liveWorkers } from '../src/queue/workers';
import { redisServerPath, spawnWorker, startRedis, stopWorker, waitFor, type WorkerProcess } from '../src/queue/test-utils/redis';

function arg(name: string, fallback?: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function timed(f: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await f();
  return (performance.now() - t0) / 1000;
}

async function queued(url: string, table: string, out: string, trials: number, seed: number): Promise<number> {
  const write = process.stderr.write.bind(process.stderr);
  let said = '';
  process.stderr.write = (s: string | Uint8Array) => ((said = (said + String(s)).slice(-2000)), true);
  try {
    return await timed(async () => {
      const code = await main(['search', '--strategy', 'random', '--space', 'nb201', '--table', table, '--budget', String(trials), '--seed', String(seed), '--queue', url, '--out', out, '--json']);
      if (code !== 0) throw new Error(`queued search exited with ${code}: ${said}`);
    });
  } finally {
    process.stderr.write = write;
  }
}

/**
 * The queue's own cost of one trial: submit → a worker takes it and looks the cell up → the result
 * event reaches the producer, one trial at a time, with no run folder written.
 */
async function roundTripMs(q: QueueHandle, argv: string[], n: number): Promise<number> {
  const waiting = new Map<string, () => void>();
  q.onFinished((id) => waiting.get(id)?.());
  const space = getSpace('nb201');
  const rng = new Rng(7);
  const times: number[] = [];
  for (let i = 1; i <= n; i++) {
    const id = `rt-${Date.now()}-${i}`;
    const done = new Promise<void>((r) => waiting.set(id, r));
    const t0 = performance.now();
    await q.submitTrial(id, { kind: 'trial', argv, ask: i, key: space.key(space.sample(rng)) });
    await withTimeout(done, ROUND_TRIP_TIMEOUT_MS);
    times.push(performance.now() - t0);
    await q.remove(id);
  }
  return median(times);
}

async function run(): Promise<void> {
  if (!redisServerPath()) {
    console.error('bench:queue needs redis-server (apt-get install redis-server)');
    process.exit(2);
  }
  const trials = Number(arg('trials', '500'));
  const repeats = Number(arg('repeats', '3'));
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tfnas-bench-queue-'));
  const table = arg('table') ?? (fs.existsSync(sharedPath('nb201/nb201.csv')) ? sharedPath('nb201/nb201.csv') : writeSyntheticTable(work));
  const redis = await startRedis();
  const q = await openQueue(redis.url);
  const workers: WorkerProcess[] = [];
  const out = (name: string) => path.join(work, name);
  const realStdout = process.stdout.write.bind(process.stdout);
  try {
    const evaluator = new Nb201Evaluator(loadNb201Table(table), 'cifar10');
    const times: number[] = [];
    for (let r = 0; r < repeats; r++) {
      times.push(await timed(() => runSearch({ strategy: 'random', space: getSpace('nb201'), evaluator, budget: trials, seed: 1, outDir: out(`local-${r}`), resume: false, quiet: true })));
    }
    const local = median(times);
    const rows: { setup: string; seconds: number }[] = [{ setup: 'in one process', seconds: local }];
    let roundTrip = NaN;
    process.stdout.write = () => true;
    for (const n of [1, 4]) {
      while (workers.length < n) workers.push(spawnWorker(['--queue', redis.url, '--data-dir', path.dirname(table), '--work-dir', work, '--backend', 'cpu'], work));
      await waitFor(`${n} workers`, async () => (await liveWorkers(q.redis)).length === n, 120000);
      await queued(redis.url, table, out(`warm-${n}`), 20 * n, 100 + n);
      const qt: number[] = [];
      for (let r = 0; r < repeats; r++) qt.push(await queued(redis.url, table, out(`queue-${n}-${r}`), trials, 1));
      rows.push({ setup: `queue, ${n} worker${n > 1 ? 's' : ''}`, seconds: median(qt) });
      if (n === 1) roundTrip = await roundTripMs(q, ['--strategy=random', '--space=nb201', `--table=${table}`, `--out=${out('rt')}`], 200);
    }
    process.stdout.write = realStdout;
    console.log(`random search, ${trials} NAS-Bench-201 table trials (${path.basename(table)}), median of ${repeats}, redis-server on loopback, ${os.cpus().length} cores\n`);
    console.log('| setup | seconds | trials/s | overhead per trial vs one process |');
    console.log('|---|---|---|---|');
    for (const r of rows) {
      const over = r.seconds === local ? '—' : `${(((r.seconds - local) / trials) * 1000).toFixed(2)} ms`;
      console.log(`| ${r.setup} | ${r.seconds.toFixed(2)} | ${(trials / r.seconds).toFixed(0)} | ${over} |`);
    }
    console.log(`\nqueue round trip of one trial (submit → worker → result event, 1 worker, no run folder; median of 200): ${roundTrip.toFixed(2)} ms`);
  } finally {
    process.stdout.write = realStdout;
    await Promise.all(workers.map((w) => stopWorker(w)));
    await q.close();
    await redis.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

run().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
