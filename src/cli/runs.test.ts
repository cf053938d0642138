/**
 * Runs a user can trust, end to end through the CLI: bad input refused by name, config.json that
 * records everything and repeats a run with --config, --resume that refuses changed options,
 * run names, eval's split and output, examples in every --help, one JSON key style.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { writeCifarDataset } from '../data/test-utils/fixtures';
import { resolveGenotype } from '../space/genotype';
import { formatDartsGenotype } from '../space/genotype';
import { builtinGenotype } from '../space/builtin-genotypes';
import { buildCli } from './main';
import { COMMANDS } from './commands';
import { runCli } from './test-utils/run-cli';
import { genotypeLabel } from '../api/train';

const lastJson = (out: string) => JSON.parse(out.trim().split('\n').pop() as string);
const readJson = (f: string) => JSON.parse(fs.readFileSync(f, 'utf8'));
// eslint-disable-next-line @typescript-eslint/no-var-requires
const VERSION = (require('../../package.json') as { version: string }).version;
const SYNTH = ['--dataset', 'synthetic', '--synthetic-size', '8', '--synthetic-classes', '3', '--synthetic-train', '16', '--synthetic-test', '8'];
const TINY = ['--init-channels', '2', '--layers', '3', '--batch-size', '8', '--epochs', '1', '--backend', 'wasm'];

let root: string;
beforeAll(() => (root = fs.mkdtempSync(path.join(os.tmpdir(), 'tfnas-runs-'))));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

test.each([
  [['train', '--epochs', '0', '--dry-run'], /--epochs: expected a positive integer, got 0/],
  [['train', '--layers', '3', '--layers', '1', '--dry-run'], /--layers: given more than once/],
  [['search', '--layers', '3', '--layers', '1', '--dry-run'], /--layers: given more than once/],
  [['search', '--lr', '0.1', '--learning-rate', '0.2', '--dry-run'], /--learning-rate: given more than once/],
  [['eval', '--model', 'm', '--batch-size', '0'], /--batch-size: expected a positive integer, got 0/],
])('%j exits 2 naming the option', async (args, message) => {
  const r = await runCli(args);
  expect(r.code).toBe(2);
  expect(r.err).toMatch(message);
});

test('--no-download: a missing dataset fails (exit 2) with a hint that installs where --data-dir looks', async () => {
  const dataDir = path.join(root, 'nodata', 'cifar10');
  const r = await runCli(['search', '--dataset', 'cifar10', '--data-dir', dataDir, '--no-download', '--epochs', '1', '--backend', 'cpu', '--out', path.join(root, 'nd')]);
  expect(r.code).toBe(2);
  expect(r.err).toMatch(new RegExp(`Run: tfnas data download cifar10 --data-dir ${path.dirname(dataDir)}\n`));
  expect(fs.existsSync(path.join(root, 'nd'))).toBe(false);
});

describe('train run folders', () => {
  let run: string;
  beforeAll(async () => {
    run = path.join(root, 'train');
    const r = await runCli(['train', ...SYNTH, ...TINY, '--lr', '0.05', '--train-limit', '16', '--out', run]);
    if (r.code !== 0) throw new Error(r.err);
  });

  test('config.json records every option (data ones too), the versions, backend and command line', () => {
    const c = readJson(path.join(run, 'config.json'));
    expect(c.command).toBe('train');
    expect(c.tfnas).toBe(VERSION);
    expect(c.backend).toBe('wasm');
    expect(c.command_line).toContain('tfnas train --dataset synthetic');
    expect(c.command_line).toContain('--lr 0.05');
    expect(c.options).toMatchObject({ learning_rate: 0.05, train_limit: 16, test_limit: null, data_dir: null, epochs: 1, layers: 3, seed: 0, download: true });
    expect(Object.keys(c.options).every((k) => /^[a-z0-9_]+$/.test(k))).toBe(true);
  });

  test('--resume with a changed option is refused, naming it, and nothing changes', async () => {
    const before = fs.readFileSync(path.join(run, 'config.json'), 'utf8');
    const r = await runCli(['train', ...SYNTH, ...TINY, '--lr', '0.05', '--train-limit', '8', '--out', run, '--resume']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--resume: the run in .* was started with --train-limit 16, this command has 8/);
    expect(fs.readFileSync(path.join(run, 'config.json'), 'utf8')).toBe(before);
  });

  test('--config with the run\'s config.json repeats it (the command line wins)', async () => {
    const r = await runCli(['train', '--config', path.join(run, 'config.json'), '--dry-run', '--json']);
    expect(r.code).toBe(0);
    expect(lastJson(r.out)).toMatchObject({ init_channels: 2, layers: 3, num_classes: 3, input_shape: [8, 8, 3] });
    const again = path.join(root, 'train-again');
    const r2 = await runCli(['train', '--config', path.join(run, 'config.json'), '--out', again, '--json']);
    expect(r2.code).toBe(0);
    const strip = (f: string) => fs.readFileSync(f, 'utf8').split('\n').map((l) => l.split(',').slice(0, 6).join(','));
    expect(strip(path.join(again, 'log.csv'))).toEqual(strip(path.join(run, 'log.csv')));
  });
});

test('black-box runs write config.json too, and --config repeats them', async () => {
  const a = path.join(root, 'bb-a');
  const r = await runCli(['search', '--space', 'nb201', '--strategy', 'random', '--budget', '6', '--seed', '4', '--out', a, '--json']);
  expect(r.code).toBe(0);
  const c = readJson(path.join(a, 'config.json'));
  expect(c).toMatchObject({ command: 'search', tfnas: VERSION, backend: null });
  expect(c.options).toMatchObject({ strategy: 'random', space: 'nb201', budget: 6, seed: 4, evaluator: 'nb201' });
  const b = path.join(root, 'bb-b');
  const r2 = await runCli(['search', '--config', path.join(a, 'config.json'), '--out', b, '--json']);
  expect(r2.code).toBe(0);
  expect(lastJson(r2.out).best).toBe(lastJson(r.out).best);
  expect(fs.readFileSync(path.join(b, 'history.csv'), 'utf8')).toBe(fs.readFileSync(path.join(a, 'history.csv'), 'utf8'));
});

test('a DARTS search records its options; --resume with another --epochs exits 2', async () => {
  const out = path.join(root, 'darts');
  const args = ['search', ...SYNTH, '--space', 'nb201', '--layers', '1', '--init-channels', '2', '--batch-size', '8', '--no-augment', '--backend', 'wasm', '--out', out];
  expect((await runCli([...args, '--epochs', '1'])).code).toBe(0);
  const c = readJson(path.join(out, 'config.json'));
  expect(c.options).toMatchObject({ strategy: 'darts', space: 'nb201', epochs: 1, layers: 1, synthetic_train: 16, learning_rate: 0.025 });
  expect(c.tfnas).toBe(VERSION);
  // One key style in the file: the saved DARTS configuration is snake_case too.
  expect(c.config).toMatchObject({ init_channels: 2, arch_beta1: 0.5, bench_dataset: 'cifar10' });
  expect(JSON.stringify(c).match(/"[a-z]+[A-Z]\w*":/g)).toBeNull();
  expect(JSON.stringify(readJson(path.join(root, 'train', 'config.json'))).match(/"[a-z]+[A-Z]\w*":/g)).toBeNull();
  const r = await runCli([...args, '--epochs', '3', '--resume']);
  expect(r.code).toBe(2);
  expect(r.err).toMatch(/--resume: the run in .* was started with --epochs 1, this command has 3/);
});

test('train from a search run folder is named after the search, without seed-0-seed-0', () => {
  const dir = path.join(root, 'results', 'search', 'darts', 'cifar10', 'seed-3');
  fs.mkdirSync(dir, { recursive: true });
  const g = builtinGenotype('DARTS_V2');
  fs.writeFileSync(path.join(dir, 'genotype.json'), JSON.stringify({ space: 'darts', genotype: g, text: formatDartsGenotype(g as never) }));
  expect(genotypeLabel(resolveGenotype(dir))).toBe('darts-s3');
  const bb = path.join(root, 'results', 'search', 'darts', 'cifar10', 'evolution-seed-0');
  fs.mkdirSync(bb, { recursive: true });
  fs.writeFileSync(path.join(bb, 'best.json'), JSON.stringify({ genotype: g }));
  expect(genotypeLabel(resolveGenotype(bb))).toBe('darts-evolution-s0');
});

test('eval reads only the evaluated split and writes its confusion CSV under results/eval (or --out)', async () => {
  const run = path.join(root, 'train32');
  const t = await runCli(['train', '--dataset', 'synthetic', '--synthetic-train', '8', '--synthetic-test', '4', ...TINY, '--out', run, '--json']);
  expect(t.code).toBe(0);
  const cifar = path.join(root, 'cifar');
  writeCifarDataset(cifar, 2, 5, 6);
  const cwd = process.cwd();
  process.chdir(root);
  try {
    const r = await runCli(['eval', '--model', path.join(run, 'model'), '--dataset', 'cifar10', '--data-dir', cifar, '--backend', 'wasm', '--json']);
    expect(r.code).toBe(0);
    expect(r.err).toContain(': 0 train / 6 test images');
    const s = lastJson(r.out);
    expect(s.count).toBe(6);
    expect(s.confusion_csv).toBe(path.join('results', 'eval', 'train32', 'confusion-cifar10-test.csv'));
    expect(fs.existsSync(path.join(root, s.confusion_csv))).toBe(true);
    expect(fs.readdirSync(root)).not.toContain('confusion-cifar10-test.csv');
    const own = path.join(root, 'mine.csv');
    const r2 = await runCli(['eval', '--model', path.join(run, 'model'), '--dataset', 'cifar10', '--data-dir', cifar, '--split', 'train', '--backend', 'wasm', '--out', own, '--json']);
    expect(r2.err).toContain(': 10 train / 0 test images');
    expect(lastJson(r2.out).confusion_csv).toBe(own);
  } finally {
    process.chdir(cwd);
  }
});

test('every command\'s --help has examples', async () => {
  const names = COMMANDS.map((c) => String(c.command).split(' ')[0]);
  const sub: Record<string, string[]> = { data: ['download', 'info'], bench: ['nb201', 'nb101', 'ops'], queue: ['submit', 'status', 'cancel'] };
  for (const name of names) {
    for (const args of sub[name] ? [[name], ...sub[name].map((s) => [name, s])] : [[name]]) {
      const help = await new Promise<string>((resolve) => {
        buildCli([...args, '--help']).exitProcess(false).parse([...args, '--help'], {}, (_e: unknown, _a: unknown, output: string) => resolve(output));
      });
      expect({ args, examples: /Examples:/.test(help) }).toEqual({ args, examples: true });
    }
  }
});

test('--json keys are snake_case in every command', async () => {
  const keys = (o: unknown): string[] => (o && typeof o === 'object' && !Array.isArray(o) ? Object.entries(o).flatMap(([k, v]) => (/^(normal|reduce|alpha_shapes)$/.test(k) ? [k] : [k, ...keys(v)])) : []);
  const all = [
    ['search', '--dry-run', '--json', '--backend', 'wasm', '--space', 'nb201'],
    ['train', '--dry-run', '--json', '--backend', 'wasm'],
    ['data', 'info', 'synthetic', '--synthetic-train', '10', '--synthetic-test', '5', '--json'],
    ['backends', '--json'],
    ['bench', 'ops', '--backend', 'wasm', '--batch', '1', '--channels', '2', '--size', '4', '--repeats', '1', '--warmup', '0', '--ops', 'skip_connect', '--json'],
  ];
  for (const args of all) {
    const r = await runCli(args);
    expect(keys(lastJson(r.out)).filter((k) => /[A-Z]/.test(k))).toEqual([]);
  }
});
