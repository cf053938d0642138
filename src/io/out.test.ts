import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runCli } from '../cli/test-utils/run-cli';
import { UsageError } from './errors';
import { makeOutDir } from './out';

describe('--out errors name --out and say what is wrong', () => {
  let dir: string;
  let file: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tfnas-out-'));
    file = path.join(dir, 'a-file');
    fs.writeFileSync(file, 'x');
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test.each([
    ['an existing file', () => file, /^--out: .*a-file is a file, not a folder$/],
    ['a folder below a file', () => path.join(file, 'run'), /^--out: cannot create the folder .*a-file\/run: part of the path .* is a file, not a folder$/],
    // /sys refuses new entries even for root (EPERM), like a folder the user may not write.
    ['a folder the user may not create', () => '/sys/tfnas-out-test/run', /^--out: cannot create the folder \/sys\/tfnas-out-test\/run: no permission to write/],
  ])('makeOutDir: %s', (_what, target, message) => {
    const err = (() => {
      try {
        makeOutDir(target());
      } catch (e) {
        return e as Error;
      }
      throw new Error('expected an error');
    })();
    expect(err).toBeInstanceOf(UsageError);
    expect(err.message).toMatch(message);
  });

  test('train --out on a file and export --out below a file exit 2 naming --out', async () => {
    const t = await runCli(['train', '--dataset', 'synthetic', '--synthetic-size', '8', '--synthetic-train', '8', '--synthetic-test', '4',
      '--init-channels', '2', '--layers', '3', '--epochs', '1', '--batch-size', '4', '--backend', 'cpu', '--out', file]);
    expect(t.code).toBe(2);
    expect(t.err).toMatch(/--out: .*a-file is a file, not a folder/);
    const e = await runCli(['export', '--genotype', 'DARTS_V2', '--out', path.join(file, 'x.json')]);
    expect(e.code).toBe(2);
    expect(e.err).toMatch(/--out: cannot write .*a-file\/x\.json: .*a-file is a file, not a folder/);
  });
});
