import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse } from 'csv-parse/sync';
import { runCli } from './test-utils/run-cli';
import { lastJson, runOnSwiftshader, skipNote, swiftshaderEnv } from '../backend/test-utils/webgpu';

/**
 * Issue 18's acceptance check: tiny searches (both spaces, both orders) and a tiny retraining
 * through the CLI on the webgpu backend (SwiftShader's software adapter) agree with wasm, step for
 * step: losses in log.csv and α in alphas.csv within 1e-4 relative. The NAS-Bench-201 searches and
 * the retraining run with recompute cells on webgpu (none on wasm), so checkpointing is exercised
 * there too. One weight step and one α step per search: SwiftShader runs a DARTS step in tens of
 * seconds on two cores (thousands of small dispatches), so this file takes minutes.
 * Skips with a message without SwiftShader.
 */
const SYNTH = ['--dataset', 'synthetic', '--synthetic-size', '8', '--synthetic-classes', '3', '--synthetic-train', '8', '--synthetic-test', '4'];
const SEARCHES = (['darts', 'nb201'] as const).flatMap((space) => ([1, 2] as const).map((order) => ({ name: `search ${space} order ${order}`, space, order })));
const searchArgs = (s: (typeof SEARCHES)[number], backend: string) => [
  'search', ...SYNTH, '--no-augment', '--space', s.space, '--order', String(s.order), '--layers', s.space === 'darts' ? '3' : '1',
  '--init-channels', '2', '--batch-size', '4', '--epochs', '1', '--seed', '1', '--backend', backend,
  '--recompute', backend === 'webgpu' && s.space === 'nb201' ? 'cells' : 'none',
];
const TRAIN = ['train', ...SYNTH, '--genotype', 'DARTS_V2', '--init-channels', '4', '--layers', '3', '--batch-size', '8', '--epochs', '1', '--seed', '1'];

const setup = swiftshaderEnv();
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tfnas-webgpu-'));
const dir = (backend: string, name: string) => path.join(root, backend, name.replace(/ /g, '-'));
const commands = (backend: string) => [
  ...SEARCHES.map((s) => [...searchArgs(s, backend), '--out', dir(backend, s.name)]),
  [...TRAIN, '--backend', backend, '--recompute', backend === 'webgpu' ? 'cells' : 'none', '--out', dir(backend, 'train')],
];
let skip = 'skip' in setup ? setup.skip : '';

beforeAll(async () => {
  if (!('env' in setup)) return skipNote('webgpu-runs.test.ts', skip);
  // wasm first: quick, and a bad command line shows before the minutes on SwiftShader.
  for (const args of commands('wasm')) {
    const w = await runCli(args);
    if (w.code !== 0) throw new Error(`tfnas ${args.join(' ')} exited with ${w.code}: ${w.err}`);
  }
  const list = path.join(root, 'commands.json');
  fs.writeFileSync(list, JSON.stringify(commands('webgpu')));
  const r = runOnSwiftshader(path.join(__dirname, 'test-utils', 'webgpu-runs-child.ts'), [list], setup.env, 900_000);
  if (/no GPU is usable: no WebGPU adapter/.test(r.err)) {
    skip = 'Dawn finds no adapter on SwiftShader here';
    return skipNote('webgpu-runs.test.ts', skip);
  }
  if (r.code !== 0) throw new Error(`webgpu child failed (${r.code}): ${r.err.slice(-3000)}`);
  const codes = lastJson<{ codes: number[] }>(r.out).codes;
  if (codes.some((c) => c !== 0)) throw new Error(`webgpu runs exited with ${codes.join(', ')}: ${r.err.slice(-3000)}`);
}, 1_200_000);

afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const csv = (file: string) => parse(fs.readFileSync(file, 'utf8'), { columns: true }) as Record<string, string>[];
const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-6);

function expectClose(file: string, columns: string[]) {
  const [gpu, ref] = [csv(path.join(dir('webgpu', file))), csv(path.join(dir('wasm', file)))];
  expect(gpu.length).toBe(ref.length);
  expect(ref.length).toBeGreaterThan(0);
  ref.forEach((row, i) => {
    for (const c of columns) {
      const [a, b] = [Number(gpu[i][c]), Number(row[c])];
      expect(Number.isFinite(b)).toBe(true);
      if (rel(a, b) > 1e-4) throw new Error(`${file} row ${i + 1} ${c}: webgpu ${a}, wasm ${b}`);
    }
  });
}

describe('webgpu (SwiftShader) against wasm through the CLI', () => {
  test.each(SEARCHES.map((s) => [s.name] as const))('%s: losses and α agree to 1e-4 relative', (name) => {
    if (skip) return;
    expectClose(path.join(name.replace(/ /g, '-'), 'log.csv'), ['train_loss', 'valid_loss']);
    expectClose(path.join(name.replace(/ /g, '-'), 'alphas.csv'), ['weight']);
    expect(fs.readFileSync(path.join(dir('webgpu', name), 'genotype.json'), 'utf8')).toBe(fs.readFileSync(path.join(dir('wasm', name), 'genotype.json'), 'utf8'));
  });

  test('retraining: losses agree to 1e-4 relative', () => {
    if (skip) return;
    expectClose(path.join('train', 'log.csv'), ['train_loss', 'valid_loss']);
  });

  test('config.json labels the run: backend webgpu on a fallback adapter', () => {
    if (skip) return;
    for (const name of [...SEARCHES.map((s) => s.name), 'train']) {
      const cfg = JSON.parse(fs.readFileSync(path.join(dir('webgpu', name), 'config.json'), 'utf8'));
      expect(cfg.backend).toBe('webgpu');
      expect(cfg.webgpu_adapter).toMatchObject({ is_fallback_adapter: true, architecture: 'swiftshader' });
      expect(JSON.parse(fs.readFileSync(path.join(dir('wasm', name), 'config.json'), 'utf8')).webgpu_adapter).toBeUndefined();
    }
  });
});
