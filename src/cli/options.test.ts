import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { UsageError } from '../io/errors';
import { checkResume, checks, readOptions, recordOptions, type OptionSpecs } from './options';
import { repeatedFlag } from './main';

const SPEC = {
  'learning-rate': { type: 'number', alias: 'lr', default: 0.025, check: checks.positive, describe: 'lr' },
  epochs: { type: 'number', default: 50, check: checks.int(1), describe: 'epochs' },
  space: { type: 'string', choices: ['darts', 'nb201'], describe: 'space' },
  out: { type: 'string', shapes: false, describe: 'run folder' },
  json: { type: 'boolean', default: false, record: false, describe: 'json' },
  config: { type: 'string', record: false, describe: 'config' },
} as const satisfies OptionSpecs;

/** The error `fn` throws (the test fails if it throws none). */
const errorOf = (fn: () => unknown): Error => {
  let thrown: unknown = new Error('expected an error, none was thrown');
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  return thrown as Error;
};

describe('option specs', () => {
  let dir: string;
  beforeAll(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tfnas-options-'))));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('typed camelCase values with defaults; what was given is kept apart', () => {
    const v = readOptions({ epochs: 3 }, SPEC, 'search');
    expect(v).toMatchObject({ learningRate: 0.025, epochs: 3, json: false, given: { epochs: 3 } });
    expect(v.space).toBeUndefined();
    const lr: number = v.learningRate; // typed: a number, not unknown
    expect(lr).toBe(0.025);
  });

  test('types, choices, checks and repeats are UsageErrors naming the flag', () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ epochs: 0 }, /^--epochs: expected a positive integer, got 0$/],
      [{ epochs: NaN }, /^--epochs: expected a number, got a value that is not a number$/],
      [{ epochs: [3, 1] }, /^--epochs: given 2 times; expected it once$/],
      [{ space: 'nb101' }, /^--space: expected one of darts, nb201, got "nb101"$/],
      [{ 'learning-rate': -1 }, /^--learning-rate: expected a positive number, got -1$/],
    ];
    for (const [argv, message] of cases) {
      const e = errorOf(() => readOptions(argv, SPEC, 'search'));
      expect(e).toBeInstanceOf(UsageError);
      expect(e.message).toMatch(message);
    }
  });

  test('--config: a JSON file of options (snake or kebab keys, BOM allowed) or a run\'s config.json; the command line wins', () => {
    const plain = path.join(dir, 'opts.json');
    fs.writeFileSync(plain, '\uFEFF' + JSON.stringify({ learning_rate: 0.1, epochs: 7 }));
    expect(readOptions({ config: plain, epochs: 2 }, SPEC, 'search')).toMatchObject({ learningRate: 0.1, epochs: 2 });
    const run = path.join(dir, 'config.json');
    fs.writeFileSync(run, JSON.stringify({ command: 'search', options: { learning_rate: 0.2, epochs: 9, out: 'x', space: 'nb201' }, tfnas: '0.1.0' }));
    expect(readOptions({ config: run }, SPEC, 'search')).toMatchObject({ learningRate: 0.2, epochs: 9, space: 'nb201', out: 'x' });
    expect(errorOf(() => readOptions({ config: run }, SPEC, 'train')).message).toMatch(/--config: .* is the config.json of a `tfnas search` run, not of `tfnas train`/);
    fs.writeFileSync(plain, JSON.stringify({ momentum: 0.5 }));
    expect(errorOf(() => readOptions({ config: plain }, SPEC, 'search')).message).toMatch(/--config: .*opts\.json: "momentum" is not an option of tfnas search/);
    fs.writeFileSync(plain, JSON.stringify({ epochs: 0 }));
    expect(errorOf(() => readOptions({ config: plain }, SPEC, 'search')).message).toMatch(/--epochs: expected a positive integer, got 0/);
    fs.writeFileSync(plain, '{"epochs": ');
    expect(errorOf(() => readOptions({ config: plain }, SPEC, 'search')).message).toMatch(/^--config: cannot read .*opts\.json/);
  });

  test('config.json records every recorded option in snake_case; resume refuses a changed option that shapes the result', () => {
    const v = readOptions({ epochs: 3, out: 'a' }, SPEC, 'search');
    const rec = recordOptions(v, SPEC);
    expect(rec).toEqual({ learning_rate: 0.025, epochs: 3, space: null, out: 'a' });
    expect(() => checkResume('run', rec, { ...rec, out: 'b' }, SPEC)).not.toThrow();
    expect(() => checkResume('run', rec, { ...rec, epochs: 5 }, SPEC)).toThrow(/^--resume: the run in run was started with --epochs 3, this command has 5/);
  });

  test('repeatedFlag finds a flag given twice under any of its names, but not array flags', () => {
    const o = { array: ['strategies'], alias: { 'learning-rate': ['lr', 'learningRate'] } };
    expect(repeatedFlag(['--layers', '3', '--layers', '1'], o)).toBe('layers');
    expect(repeatedFlag(['--lr', '0.1', '--learning-rate=0.2'], o)).toBe('learning-rate');
    expect(repeatedFlag(['--augment', '--no-augment'], o)).toBe('augment');
    expect(repeatedFlag(['--strategies', 'a', '--strategies', 'b', '--layers', '3'], o)).toBeNull();
    expect(repeatedFlag(['--x', '--', '--x'], o)).toBeNull();
  });
});
