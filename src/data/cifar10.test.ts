import * as fs from 'fs';
import * as path from 'path';
import { loadCifar10 } from './cifar10';
import { DataFileError } from './errors';
import { cifarBatch, fixturePixel, tempDir, writeCifarDataset } from './test-utils/fixtures';

describe('cifar10 binary loader', () => {
  let dir: string;
  beforeEach(() => {
    dir = tempDir();
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reads every training batch present, converts CHW planes to HWC, and notes missing batches', () => {
    writeCifarDataset(dir, 2, 5, 3);
    const d = loadCifar10({ dir });
    expect(d.train.count).toBe(10);
    expect(d.test.count).toBe(3);
    expect(d.shape).toEqual([32, 32, 3]);
    expect(Array.from(d.train.labels)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // Record 7 (second batch, third record), pixel (y=3, x=5): HWC offset, channel c from plane c.
    const p = 3 * 32 + 5;
    for (let c = 0; c < 3; c++) expect(d.train.images[7 * 3072 + p * 3 + c]).toBe(fixturePixel(7, c, p));
    expect(d.notes.join()).toMatch(/found 2 of 5 training batches/);
    expect(d.classNames[0]).toBe('airplane');
  });

  it('keeps only the first N images with limits, across batch files', () => {
    writeCifarDataset(dir, 2, 5, 3);
    const d = loadCifar10({ dir, trainLimit: 7, testLimit: 2 });
    expect(d.train.count).toBe(7);
    expect(d.train.images.length).toBe(7 * 3072);
    expect(d.test.count).toBe(2);
    expect(d.train.labels[6]).toBe(6);
  });

  it('rejects a truncated batch file, naming it and the record size', () => {
    writeCifarDataset(dir, 1, 4, 2);
    const f = path.join(dir, 'data_batch_1.bin');
    fs.truncateSync(f, 3073 * 4 - 100);
    expect(() => loadCifar10({ dir })).toThrow(DataFileError);
    expect(() => loadCifar10({ dir })).toThrow(/data_batch_1\.bin: size 12,192 bytes is not a whole number of 3,073-byte records/);
  });

  it('rejects a label out of range, naming the record', () => {
    writeCifarDataset(dir, 1, 4, 2);
    fs.writeFileSync(path.join(dir, 'test_batch.bin'), cifarBatch([1, 255]));
    expect(() => loadCifar10({ dir })).toThrow(/test_batch\.bin: record 1 has label 255; expected a class index 0-9/);
  });

  it('says which file is missing', () => {
    writeCifarDataset(dir, 1, 4, 2);
    fs.rmSync(path.join(dir, 'test_batch.bin'));
    expect(() => loadCifar10({ dir })).toThrow(/test_batch\.bin: file is missing/);
    fs.rmSync(path.join(dir, 'data_batch_1.bin'));
    expect(() => loadCifar10({ dir })).toThrow(/data_batch_1\.bin: file is missing/);
  });

  it('reads class names from batches.meta.txt and rejects a wrong one', () => {
    writeCifarDataset(dir, 1, 2, 2);
    fs.writeFileSync(path.join(dir, 'batches.meta.txt'), 'a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n\n');
    expect(loadCifar10({ dir }).classNames[9]).toBe('j');
    fs.writeFileSync(path.join(dir, 'batches.meta.txt'), 'a\nb\n');
    expect(() => loadCifar10({ dir })).toThrow(/batches\.meta\.txt: expected 10 class names/);
  });
});
