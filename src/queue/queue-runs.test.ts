/**
 * Whole runs on the queue, on a real password-protected Redis with worker processes: `tfnas queue
 * submit|status|cancel`, results fetched through the queue, a run job that names a path outside the
 * worker's folders, a worker stopped with SIGTERM handing its run back for another to resume, and
 * the password never shown.
 */
import * as fs from 'fs';
import * as path from 'path';
import { runCli } from '../cli/test-utils/run-cli';
import { tmpDir, writeSyntheticTable } from '../search/test-utils/synthetic';
import { describeWithRedis, spawnWorker, startRedis, stopWorker, waitFor, type TestRedis, type WorkerProcess } from './test-utils/redis';
import { PASSWORD_ENV } from './connection';
import type { QueueStatus } from './runs';

const PASSWORD = 'pw-7f3a9c-never-shown';
const TRAIN = '--space darts --evaluator train --dataset synthetic --synthetic-size 8 --synthetic-train 64 --synthetic-test 16 --train-channels 4 --train-layers 3 --train-batch-size 16';

function allText(dir: string): string {
  if (!fs.existsSync(dir)) return '';
  return fs.readdirSync(dir, { recursive: true }).map(String).map((f) => path.join(dir, f)).filter((f) => fs.statSync(f).isFile()).map((f) => fs.readFileSync(f, 'latin1')).join('\n');
}

describeWithRedis('queue run tests')('tfnas queue and whole runs on a real Redis', () => {
  let redis: TestRedis;
  let dir: string;
  let work: string;
  let data: string;
  const workers: WorkerProcess[] = [];
  let said = '';

  const cli = async (args: string[]) => {
    const r = await runCli(args);
    said += r.out + r.err;
    return r;
  };
  const status = async (batch: string): Promise<QueueStatus> => {
    const r = await cli(['queue', 'status', '--queue', redis.url, '--batch', batch, '--json']);
    expect(r.code).toBe(0);
    return JSON.parse(r.out.trim().split('\n').pop()!);
  };
  const waitState = (batch: string, want: (s: QueueStatus) => boolean, ms = 120000) =>
    waitFor(`batch ${batch}`, async () => want(await status(batch)), ms);
  const worker = () => {
    // The password from the environment, not the URL.
    const w = spawnWorker(['--queue', redis.url.replace(`:${PASSWORD}@`, ''), '--backend', 'wasm', '--lock-seconds', '5', '--grace-seconds', '5', '--data-dir', data, '--work-dir', work], work, { [PASSWORD_ENV]: PASSWORD });
    workers.push(w);
    return w;
  };

  beforeAll(async () => {
    redis = await startRedis({ password: PASSWORD });
    dir = tmpDir('queue-runs');
    work = path.join(dir, 'work');
    data = path.join(dir, 'data');
    fs.mkdirSync(work);
    fs.mkdirSync(data);
    writeSyntheticTable(data);
  });

  afterAll(async () => {
    await Promise.all(workers.map((w) => stopWorker(w, 'SIGKILL')));
    await redis?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('submits runs over seeds, shows them per state and worker, and fetches their results', async () => {
    worker();
    const s = await cli(['queue', 'submit', '--queue', redis.url, '--batch', 'b1', '--seeds', '0-1', '--command', 'search --strategy random --space nb201 --table nb201.csv --budget 20']);
    expect(s.code).toBe(0);
    expect(s.out).toMatch(/^r-b1-1 {2}tfnas search .* --seed=0\nr-b1-2 {2}tfnas search .* --seed=1\n$/);
    await waitState('b1', (st) => st.runs.length === 2 && st.runs.every((r) => r.state === 'completed'));
    const st = await status('b1');
    expect(st.workers).toHaveLength(1);
    expect(st.runs.map((r) => r.result?.queries)).toEqual([20, 20]);
    expect(st.runs.every((r) => r.worker === st.workers[0].id)).toBe(true);
    const text = await cli(['queue', 'status', '--queue', redis.url, '--batch', 'b1', '--fetch', path.join(dir, 'fetched')]);
    expect(text.out).toMatch(/jobs: waiting 0, .*completed \d+/);
    expect(text.out).toMatch(/r-b1-1 {2}completed on /);
    const hist = fs.readFileSync(path.join(dir, 'fetched', 'r-b1-2', 'history.csv'), 'utf8').trim().split('\n');
    expect(hist).toHaveLength(21);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'fetched', 'r-b1-2', 'best.json'), 'utf8')).seed).toBe(1);
    expect(fs.existsSync(path.join(dir, 'fetched', 'r-b1-2', 'checkpoint.json'))).toBe(false);
  });

  it('fails a run that names a path outside the worker\'s folders once, without running it', async () => {
    expect((await cli(['queue', 'submit', '--queue', redis.url, '--batch', 'bad', '--command', 'search --strategy random --space nb201 --table nb201.csv --out ../../escaped'])).code).toBe(0);
    await waitState('bad', (st) => st.runs[0]?.state === 'failed');
    const st = await status('bad');
    expect(st.runs[0].error).toMatch(/--out "..\/..\/escaped" is outside the worker's work folder/);
    expect(fs.existsSync(path.join(dir, '..', 'escaped'))).toBe(false);
    expect((await cli(['queue', 'submit', '--queue', redis.url, '--command', 'data download cifar10'])).code).toBe(2);
  });

  it('cancels a running run; SIGTERM hands a run back and another worker resumes it', async () => {
    expect((await cli(['queue', 'submit', '--queue', redis.url, '--batch', 'long', '--command', `search --strategy random ${TRAIN} --train-epochs 20 --budget 50`])).code).toBe(0);
    await waitState('long', (st) => st.runs[0]?.state === 'active');
    const c = await cli(['queue', 'cancel', '--queue', redis.url, '--batch', 'long']);
    expect(c.out).toMatch(/r-long-1 {2}stopping/);
    await waitState('long', (st) => st.runs[0]?.state === 'failed', 30000);
    expect((await status('long')).runs[0].error).toMatch(/cancelled by tfnas queue cancel/);

    const out = path.join(work, 'handback');
    expect((await cli(['queue', 'submit', '--queue', redis.url, '--batch', 'hb', '--command', `search --strategy random ${TRAIN} --train-epochs 4 --budget 5 --out handback`])).code).toBe(0);
    await waitFor('the first trials', () => fs.existsSync(path.join(out, 'history.csv')) && fs.readFileSync(path.join(out, 'history.csv'), 'utf8').trim().split('\n').length >= 2, 120000);
    const first = fs.readFileSync(path.join(out, 'history.csv'), 'utf8').trim().split('\n')[1];
    const w1 = workers[0];
    expect(await stopWorker(w1, 'SIGTERM')).toBe(0);
    expect(w1.log()).toMatch(/SIGTERM: finishing or handing back its jobs/);
    expect(['waiting', 'prioritized']).toContain((await status('hb')).runs[0].state);
    worker();
    await waitState('hb', (st) => st.runs[0]?.state === 'completed');
    const rows = fs.readFileSync(path.join(out, 'history.csv'), 'utf8').trim().split('\n');
    expect(rows).toHaveLength(6);
    expect(rows[1]).toBe(first);
  });

  it('never shows the password: not in output, logs or run folders', async () => {
    // A queued search whose --queue URL holds the password: its config.json masks it.
    const out = path.join(work, 'coordinated');
    expect((await cli(['search', '--strategy', 'random', '--space', 'nb201', '--table', 'nb201.csv', '--budget', '10', '--queue', redis.url, '--out', out])).code).toBe(0);
    expect(JSON.parse(fs.readFileSync(path.join(out, 'config.json'), 'utf8')).command_line).toContain('redis://:***@127.0.0.1:');
    expect(said).toContain('r-b1-1');
    expect(said).not.toContain(PASSWORD);
    for (const w of workers) expect(w.log()).not.toContain(PASSWORD);
    expect(allText(work)).not.toContain(PASSWORD);
  });
});
