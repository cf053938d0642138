/**
 * Faults on a real Redis: a worker killed with SIGKILL in the middle of a trial (another worker
 * takes the trial over after its lock expires; it is counted once), and a Redis restart with AOF
 * persistence in the middle of a search (no finished result is lost), and a coordinator killed
 * outright and resumed (no finished trial re-run, none in flight lost).
 */
import * as fs from 'fs';
import * as path from 'path';
import { runCli } from '../cli/test-utils/run-cli';
import { nb201FromString } from '../space/nb201-space';
import { loadNb201Table } from '../search/evaluators/registry';
import { tmpDir, writeSyntheticTable } from '../search/test-utils/synthetic';
import { openQueue, type QueueHandle } from './queue-client';
import { startWorker, type RunningWorker } from './worker';
import { readHistory as history } from './test-utils/history';
import { describeWithRedis, spawnCli, spawnWorker, startRedis, stopWorker, waitFor, type TestRedis, type WorkerProcess } from './test-utils/redis';
import { liveWorkers } from './workers';

describeWithRedis('queue fault tests')('queue faults on a real Redis', () => {
  let redis: TestRedis;
  let dir: string;
  let q: QueueHandle | null = null;
  const procs: WorkerProcess[] = [];
  const inproc: RunningWorker[] = [];

  beforeAll(() => {
    dir = tmpDir('queue-faults');
  });

  afterEach(async () => {
    await Promise.all(procs.splice(0).map((w) => stopWorker(w, 'SIGKILL')));
    await Promise.all(inproc.splice(0).map((w) => w.close(1000)));
    await q?.close();
    q = null;
    await redis?.stop();
  });

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('a worker killed with SIGKILL mid-trial: another takes the trial after its lock expires, counted once', async () => {
    redis = await startRedis();
    q = await openQueue(redis.url);
    const work = fs.mkdtempSync(path.join(dir, 'kill-'));
    const args = ['--queue', redis.url, '--backend', 'wasm', '--lock-seconds', '2', '--data-dir', work, '--work-dir', work];
    procs.push(spawnWorker(args, work), spawnWorker(args, work));
    await waitFor('two workers', async () => (await liveWorkers(q!.redis)).length === 2, 90000);
    const [a, b] = procs;
    const out = path.join(work, 'run');
    const searching = runCli([
      'search', '--strategy', 'random', '--space', 'darts', '--evaluator', 'train', '--dataset', 'synthetic',
      '--synthetic-size', '8', '--synthetic-train', '64', '--synthetic-test', '16', '--train-epochs', '6', '--train-channels', '4',
      '--train-layers', '3', '--train-batch-size', '16', '--budget', '4', '--in-flight', '2', '--queue', redis.url, '--out', out, '--json',
    ]);
    // Wait until worker a runs a trial, then kill it outright.
    let victim = '';
    await waitFor('a trial on worker a', async () => {
      const active = await q!.queue.getActive();
      victim = String(active.find((j) => j.name === 'trial' && String(j.processedBy).includes(`-${a.proc.pid}-`))?.id ?? '');
      return victim !== '';
    }, 90000);
    a.proc.kill('SIGKILL');
    const r = await searching;
    expect(r.code).toBe(0);
    const rows = history(out);
    expect(rows.map((x) => Number(x.query))).toEqual([1, 2, 3, 4]);
    expect(rows.map((x) => Number(x.ask)).sort()).toEqual([1, 2, 3, 4]);
    expect(rows.every((x) => x.error === '' && Number(x.signal) >= 0)).toBe(true);
    const ask = victim.split('-').pop();
    expect(rows.find((x) => x.ask === ask)!.worker).toContain(`-${b.proc.pid}-`);
    expect(await a.exited).toBe(null);
  });

  it('a Redis restart (AOF on) in the middle of a search loses no finished result', async () => {
    redis = await startRedis({ aof: true });
    const table = writeSyntheticTable(fs.mkdtempSync(path.join(dir, 'table-')));
    const work = fs.mkdtempSync(path.join(dir, 'restart-'));
    for (let i = 0; i < 2; i++) {
      inproc.push(await startWorker({ url: redis.url, concurrency: 2, backend: 'cpu', roots: { dataDir: path.dirname(table), workDir: work }, lockDuration: 10000, log: () => undefined }));
    }
    const out = path.join(work, 'run');
    const searching = runCli(['search', '--strategy', 'evolution', '--space', 'nb201', '--table', table, '--budget', '400', '--queue', redis.url, '--out', out, '--json']);
    await waitFor('100 recorded trials', () => fs.existsSync(path.join(out, 'history.csv')) && history(out).length >= 100, 60000);
    await redis.restart();
    const r = await searching;
    expect(r.code).toBe(0);
    const rows = history(out);
    expect(rows.map((x) => Number(x.query))).toEqual(Array.from({ length: 400 }, (_, i) => i + 1));
    expect(new Set(rows.map((x) => x.ask)).size).toBe(400);
    // Every recorded score is the table's: nothing was mixed up across the restart.
    const t = loadNb201Table(table);
    for (const x of rows) expect(Number(x.signal)).toBeCloseTo(t.lookup(nb201FromString(x.architecture), 'cifar10')!.valid12, 4);
    expect(rows.every((x) => x.error === '')).toBe(true);
  });

  it('a coordinator killed outright resumes without re-running finished trials or losing those in flight', async () => {
    redis = await startRedis();
    const table = writeSyntheticTable(fs.mkdtempSync(path.join(dir, 'table-')));
    const work = fs.mkdtempSync(path.join(dir, 'coord-'));
    for (let i = 0; i < 2; i++) {
      inproc.push(await startWorker({ url: redis.url, concurrency: 2, backend: 'cpu', roots: { dataDir: path.dirname(table), workDir: work }, lockDuration: 10000, log: () => undefined }));
    }
    const out = path.join(work, 'run');
    const args = ['search', '--strategy', 'evolution', '--space', 'nb201', '--table', table, '--budget', '300', '--queue', redis.url, '--out', out];
    const coordinator = spawnCli(args, work);
    procs.push(coordinator);
    await waitFor('50 recorded trials', () => fs.existsSync(path.join(out, 'history.csv')) && history(out).length >= 50, 90000);
    coordinator.proc.kill('SIGKILL');
    await coordinator.exited;
    const ck = JSON.parse(fs.readFileSync(path.join(out, 'checkpoint.json'), 'utf8'));
    expect(ck.queue.inFlight.length).toBeGreaterThan(0);
    const r = await runCli([...args, '--resume']);
    expect(r.code).toBe(0);
    const rows = history(out);
    expect(rows.map((x) => Number(x.query))).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
    expect(new Set(rows.map((x) => x.ask)).size).toBe(300);
    // Each trial was evaluated once: 300 trials and the two coordinators' probes.
    const done = inproc.reduce((s, w) => s + w.stats().completed, 0);
    expect(done).toBe(302);
  });
});
