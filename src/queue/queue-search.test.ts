/**
 * Queued black-box searches on a real Redis (test-utils/redis.ts) with in-process workers: 4
 * workers × 200 NAS-Bench-201 table trials, the synchronous schedule's independence from the
 * number of workers, payload validation through the queue, and a trial that fails on its input.
 */
import * as fs from 'fs';
import * as path from 'path';
import { runCli } from '../cli/test-utils/run-cli';
import { sharedPath } from '../data/test-utils/shared';
import { getSpace } from '../space/spaces';
import { Nb201Evaluator, loadNb201Table } from '../search/evaluators/registry';
import { runSearch } from '../search/blackbox/run';
import { tmpDir, writeSyntheticTable } from '../search/test-utils/synthetic';
import { startWorker, type RunningWorker } from './worker';
import { readHistory as history } from './test-utils/history';
import { describeWithRedis, startRedis, type TestRedis } from './test-utils/redis';

describeWithRedis('queued search tests')('search --queue on a real Redis', () => {
  let redis: TestRedis;
  let dir: string;
  let table: string;
  let workers: RunningWorker[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    dir = tmpDir('queue-search');
    // The real table where the shared data is present, else the synthetic one in the real layout.
    table = fs.existsSync(sharedPath('nb201/nb201.csv')) ? sharedPath('nb201/nb201.csv') : writeSyntheticTable(dir);
  });

  afterEach(async () => {
    await Promise.all(workers.map((w) => w.close(1000)));
    workers = [];
  });

  afterAll(async () => {
    await redis?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const start = async (n: number) => {
    for (let i = 0; i < n; i++) {
      workers.push(await startWorker({ url: redis.url, concurrency: 1, backend: 'cpu', roots: { dataDir: path.dirname(table), workDir: dir }, lockDuration: 10000, log: () => undefined }));
    }
  };

  const search = (out: string, extra: string[]) =>
    runCli(['search', '--space', 'nb201', '--table', table, '--queue', redis.url, '--out', out, '--json', ...extra]);

  it('4 workers record all 200 table trials once each, the same trials as in one process', async () => {
    await start(4);
    const out = path.join(dir, 'random-200');
    const r = await search(out, ['--strategy', 'random', '--budget', '200', '--seed', '3']);
    expect(r.err).not.toMatch(/failed/);
    expect(r.code).toBe(0);
    const rows = history(out);
    expect(rows.map((x) => Number(x.query))).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    expect(new Set(rows.map((x) => x.ask)).size).toBe(200);
    expect(new Set(rows.map((x) => x.worker)).size).toBeGreaterThan(1);
    expect(rows.every((x) => x.error === '')).toBe(true);
    const ck = JSON.parse(fs.readFileSync(path.join(out, 'checkpoint.json'), 'utf8'));
    expect(ck.queue.inFlight).toEqual([]);
    expect(JSON.parse(r.out.trim().split('\n').pop()!).queries).toBe(200);
    const config = fs.readFileSync(path.join(out, 'config.json'), 'utf8');
    expect(JSON.parse(config).evaluator.dataset).toBe('cifar10');
    expect(JSON.parse(config).options.queue).toBeUndefined();
    // Random search proposes independently of the scores: the same architectures as in one process.
    const local = path.join(dir, 'random-200-local');
    await runSearch({ strategy: 'random', space: getSpace('nb201'), evaluator: new Nb201Evaluator(loadNb201Table(table), 'cifar10'), budget: 200, seed: 3, outDir: local, resume: false, quiet: true });
    const sorted = (rs: Record<string, string>[]) => rs.map((x) => `${x.architecture} ${Number(x.signal)}`).sort();
    expect(sorted(rows)).toEqual(sorted(history(local)));
  });

  it('runs a synchronous strategy (genetic) the same with 1 worker and with 3', async () => {
    await start(1);
    const one = path.join(dir, 'genetic-1');
    expect((await search(one, ['--strategy', 'genetic', '--population', '8', '--budget', '30', '--in-flight', '1'])).code).toBe(0);
    await start(2);
    const three = path.join(dir, 'genetic-3');
    expect((await search(three, ['--strategy', 'genetic', '--population', '8', '--budget', '30'])).code).toBe(0);
    const pick = (rs: Record<string, string>[]) => rs.map((x) => [x.ask, x.architecture, x.signal].join(' '));
    expect(pick(history(three))).toEqual(pick(history(one)));
    expect(new Set(history(three).map((x) => x.worker)).size).toBeGreaterThan(1);
  });

  it('resumes a search started in one process on the queue, and the other way round', async () => {
    await start(2);
    const out = path.join(dir, 'mixed');
    const local = (budget: number, resume: boolean) =>
      runSearch({ strategy: 'evolution', space: getSpace('nb201'), evaluator: new Nb201Evaluator(loadNb201Table(table), 'cifar10'), budget, seed: 5, outDir: out, resume, quiet: true });
    await local(10, false);
    expect((await search(out, ['--strategy', 'evolution', '--seed', '5', '--budget', '25', '--resume'])).code).toBe(0);
    expect(history(out).map((x) => Number(x.query))).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    expect(history(out).slice(10).every((x) => x.worker !== '')).toBe(true);
    await local(30, true);
    expect(history(out).map((x) => Number(x.query))).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
  });

  it('refuses a search whose paths leave the worker\'s folders before any trial runs', async () => {
    await start(1);
    const out = path.join(dir, 'outside');
    const r = await runCli(['search', '--strategy', 'random', '--space', 'nb201', '--table', path.join(dir, '..', 'elsewhere.csv'), '--queue', redis.url, '--out', out, '--budget', '5']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--queue: the worker refused the search: job: --table ".*elsewhere.csv" is outside the worker's data folder/);
    expect(fs.existsSync(path.join(out, 'history.csv'))).toBe(false);
  });

  it('records a trial that fails on its input once, with its error, and keeps the budget exact', async () => {
    await start(2);
    const out = path.join(dir, 'bad-trial');
    expect((await search(out, ['--strategy', 'evolution', '--budget', '6'])).code).toBe(0);
    // A trial the worker must reject (not a cell of the space), as if it were in flight when the coordinator stopped.
    const ckFile = path.join(out, 'checkpoint.json');
    const ck = JSON.parse(fs.readFileSync(ckFile, 'utf8'));
    ck.queue = { ...ck.queue, asked: 7, inFlight: [{ ask: 7, key: '|no_such_op~0|+|x|' }] };
    fs.writeFileSync(ckFile, JSON.stringify(ck));
    const r = await search(out, ['--strategy', 'evolution', '--budget', '10', '--resume']);
    expect(r.code).toBe(0);
    const rows = history(out);
    expect(rows.map((x) => Number(x.query))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const bad = rows.filter((x) => x.error !== '');
    expect(bad.map((x) => x.ask)).toEqual(['7']);
    expect(bad[0].error).toMatch(/not a nb201 architecture.*\(attempts: 1\)/);
    expect(bad[0].signal).toBe('');
    expect(new Set(rows.map((x) => x.ask)).size).toBe(10);
  });

  it('says which option is wrong without contacting a worker', async () => {
    const r = await runCli(['search', '--strategy', 'random', '--space', 'nb201', '--queue', 'http://127.0.0.1:1', '--budget', '5', '--out', path.join(dir, 'x')]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--queue: expected a redis:\/\/ or rediss:\/\/ URL/);
    const d = await runCli(['search', '--queue', redis.url, '--dry-run']);
    expect(d.code).toBe(2);
    expect(d.err).toMatch(/--queue: only the black-box strategies/);
  });
});
