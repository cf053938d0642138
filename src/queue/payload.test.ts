/** Job validation: every check a worker makes before it runs anything (no Redis needed). */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { checkCommand, checkJobData, resolveInside } from './payload';
import { toArgv } from '../cli/options';
import { workerOut } from './coordinator';
import { batchCommands, parseSeeds, splitWords } from './runs';

let base: string;
let roots: { dataDir: string; workDir: string };

beforeAll(() => {
  base = fs.mkdtempSync(path.join(os.tmpdir(), 'tfnas-payload-'));
  roots = { dataDir: path.join(base, 'data'), workDir: path.join(base, 'work') };
  fs.mkdirSync(path.join(roots.dataDir, 'nb201'), { recursive: true });
  fs.mkdirSync(roots.workDir);
  fs.writeFileSync(path.join(base, 'secret.csv'), 'x');
  fs.symlinkSync(base, path.join(roots.dataDir, 'escape'));
});

afterAll(() => fs.rmSync(base, { recursive: true, force: true }));

describe('checkCommand', () => {
  it('parses a search with the command\'s own spec and resolves its paths inside the worker\'s folders', () => {
    const c = checkCommand(['search', '--strategy', 'evolution', '--space', 'nb201', '--table', 'nb201/nb201.csv', '--out', 'runs/a', '--budget', '20'], roots);
    expect(c.name).toBe('search');
    expect(c.options.table).toBe(path.join(fs.realpathSync(roots.dataDir), 'nb201', 'nb201.csv'));
    expect(c.options.out).toBe(path.join(fs.realpathSync(roots.workDir), 'runs', 'a'));
    expect(c.argv.slice(0, 1)).toEqual(['search']);
    expect(c.argv).toContain('--budget=20');
    expect(c.argv).toContain(`--table=${c.options.table}`);
  });

  it('accepts train and bench nb201, and absolute paths inside the folders', () => {
    expect(checkCommand(['train', '--genotype', 'DARTS_V2', '--epochs', '1', '--dataset', 'synthetic'], roots).name).toBe('train');
    const b = checkCommand(['bench', 'nb201', '--runs', '2', '--table', path.join(roots.dataDir, 'nb201', 'nb201.csv')], roots);
    expect(b.name).toBe('bench nb201');
  });

  it.each([
    [['data', 'download', 'cifar10'], /the command must be one of "search", "train", "bench nb201"/],
    [['export', '--genotype', 'DARTS_V2'], /the command must be one of/],
    [['search', '--strategy', 'random', '--bogus', '1'], /Unknown argument: bogus/],
    [['search', '--strategy', 'random', '--budget', 'lots'], /job: --budget: expected a number/],
    [['search', '--strategy', 'random', '--queue', 'redis://x'], /--queue cannot be part of a job/],
    [['train', '--help'], /--help cannot be part of a job/],
    [['search', '--strategy', 'random', '--out', '../elsewhere'], /--out "..\/elsewhere" is outside the worker's work folder/],
    [['search', '--strategy', 'random', '--out', '/etc/cron.d'], /--out "\/etc\/cron.d" is outside the worker's work folder/],
    [['search', '--strategy', 'random', '--table', '../secret.csv'], /--table "..\/secret.csv" is outside the worker's data folder/],
    [['search', '--strategy', 'random', '--table', 'escape/secret.csv'], /--table "escape\/secret.csv" is outside the worker's data folder/],
    [['train', '--genotype', '/etc/passwd.json'], /--genotype "\/etc\/passwd.json" is outside the worker's work folder/],
    [['search', '--strategy', 'random', 'extra-word'], /Unknown argument: extra-word/],
  ])('rejects %j', (argv, msg) => {
    expect(() => checkCommand(argv, roots)).toThrow(msg);
  });

  it('rejects a value that looks like a path in an option that is not one', () => {
    expect(() => checkCommand(['search', '--strategy', 'random', '--evaluator', '../nb201'], roots)).toThrow(/job: /);
  });

  it('keeps a path that stays inside through ..', () => {
    expect(resolveInside('out', 'a/../b', 'work', roots)).toBe(path.join(fs.realpathSync(roots.workDir), 'b'));
  });
});

describe('checkJobData', () => {
  it('accepts the three kinds and refuses anything else', () => {
    expect(checkJobData({ kind: 'trial', argv: ['--strategy=random'], ask: 3, key: 'k' }).kind).toBe('trial');
    expect(checkJobData({ kind: 'run', argv: ['train'] }).kind).toBe('run');
    expect(() => checkJobData({ kind: 'shell', argv: ['rm'] })).toThrow(/kind must be trial, probe or run, got "shell"/);
    expect(() => checkJobData({ kind: 'run', argv: 'train --epochs 1' })).toThrow(/argv must be an array of strings/);
    expect(() => checkJobData({ kind: 'trial', argv: [], ask: 0, key: 'k' })).toThrow(/positive integer ask/);
    expect(() => checkJobData({ kind: 'run', argv: ['a\0b'] })).toThrow(/NUL/);
    expect(() => checkJobData(null)).toThrow(/data must be an object/);
  });
});

describe('toArgv', () => {
  it('writes parsed options back as words, skipping aliases and the given keys', () => {
    expect(toArgv({ _: [], $0: 'x', budget: 5, 'dry-run': false, json: true, dryRun: false, queue: 'redis://h' }, new Set(['queue']))).toEqual(['--budget=5', '--no-dry-run', '--json']);
  });
});

describe('workerOut', () => {
  it('names the coordinator\'s run folder inside a worker\'s work folder', () => {
    expect(workerOut('results/search/nb201/cifar10/evolution-seed-0', '/home/u/proj')).toBe(path.join('results', 'search', 'nb201', 'cifar10', 'evolution-seed-0'));
    expect(workerOut('/home/u/proj/runs/a', '/home/u/proj')).toBe(path.join('runs', 'a'));
    expect(workerOut('/srv/elsewhere/run-7', '/home/u/proj')).toBe('run-7');
  });
});

describe('queue submit helpers', () => {
  it('splits command lines with quotes and no shell', () => {
    expect(splitWords(`search --out "a b" --genotype 'x y' --tag=$(rm)`)).toEqual(['search', '--out', 'a b', '--genotype', 'x y', '--tag=$(rm)']);
    expect(splitWords('train --out="a b"')).toEqual(['train', '--out=a b']);
    expect(() => splitWords('train --out "a')).toThrow(/unbalanced "/);
  });

  it('parses seed lists and ranges', () => {
    expect(parseSeeds('0-2,5')).toEqual([0, 1, 2, 5]);
    expect(() => parseSeeds('3-1')).toThrow(/--seeds: 3-1 is not an increasing range/);
    expect(() => parseSeeds('a')).toThrow(/--seeds: expected a list/);
  });

  it('expands a batch over seeds and checks each command when it is submitted', () => {
    const cmds = batchCommands(['tfnas search --strategy random --space nb201 --budget 10', '# comment', ''], [0, 1]);
    expect(cmds).toEqual([
      ['search', '--strategy', 'random', '--space', 'nb201', '--budget', '10', '--seed=0'],
      ['search', '--strategy', 'random', '--space', 'nb201', '--budget', '10', '--seed=1'],
    ]);
    expect(() => batchCommands(['search --strategy random --seed 3'], [0])).toThrow(/--seeds: the command .* sets --seed itself/);
    expect(() => batchCommands(['search --no-such-option'], null)).toThrow(/Unknown argument/);
    expect(() => batchCommands(['# nothing'], null)).toThrow(/no command to submit/);
  });
});
