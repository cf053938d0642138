import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CsvLog, parseCsv } from './csv';

describe('CSV (csv-stringify writes, csv-parse reads)', () => {
  test('CsvLog round-trips quotes, commas and newlines inside values, and truncates for resume', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tfnas-csv-'));
    try {
      const file = path.join(dir, 'log.csv');
      const log = new CsvLog(file, ['epoch', 'genotype']);
      const g = `Genotype(normal=[('sep_conv_3x3', 0)], "x",\ny)`;
      log.append({ epoch: 1, genotype: g }, { epoch: 2, genotype: 'b' });
      const back = new CsvLog(file, ['epoch', 'genotype']).load();
      expect(back.all()).toEqual([{ epoch: '1', genotype: g }, { epoch: '2', genotype: 'b' }]);
      back.keepWhile((r) => Number(r.epoch) <= 1).append({ epoch: 2, genotype: 'c' });
      expect(parseCsv(fs.readFileSync(file, 'utf8')).cells).toEqual([['1', g], ['2', 'c']]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a BOM is ignored; short rows are kept for the caller to check; bad quoting names the file', () => {
    expect(parseCsv('\uFEFFa,b\n1,2\n3\n')).toEqual({ header: ['a', 'b'], cells: [['1', '2'], ['3']], records: [{ a: '1', b: '2' }, { a: '3', b: undefined }] });
    expect(() => parseCsv('a,b\n"1,2\n', 'bad.csv')).toThrow(/^bad\.csv: not valid CSV: /);
  });
});
