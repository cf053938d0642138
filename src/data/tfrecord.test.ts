import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buf as crc32c } from 'crc-32/crc32c';
import { encodeTfRecord, maskedCrc32c, readTfRecords, TfRecordError } from './tfrecord';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tfnas-tfrecord-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const write = (name: string, data: Buffer) => {
  const f = path.join(dir, name);
  fs.writeFileSync(f, data);
  return f;
};
const records = [Buffer.from('first'), Buffer.alloc(0), Buffer.from('x'.repeat(70000))];
const flip = (b: Buffer, at: number, bits: number) => {
  b[at] ^= bits;
  return b;
};
const file = () => Buffer.concat(records.map(encodeTfRecord));

describe('TFRecord framing', () => {
  it('uses CRC-32C (Castagnoli) with TensorFlow\'s mask', () => {
    // The CRC-32C check value (RFC 3720 B.4) and the mask of tensorflow/core/lib/hash/crc32c.h.
    expect(crc32c(Buffer.from('123456789')) >>> 0).toBe(0xe3069283);
    const crc = 0xe3069283;
    expect(maskedCrc32c(Buffer.from('123456789'))).toBe((((crc >>> 15) | (crc << 17)) + 0xa282ead8) >>> 0);
    // The 8-byte length header of an empty record, as TensorFlow writes it.
    expect(encodeTfRecord(Buffer.alloc(0)).length).toBe(16);
  });

  it('reads back every record with its offset', () => {
    const f = write('ok.tfrecord', file());
    const got = [...readTfRecords(f)];
    expect(got.map((r) => r.data.toString())).toEqual(records.map((r) => r.toString()));
    expect(got.map((r) => r.offset)).toEqual([0, 21, 37]);
  });

  it.each([
    ['a bad data CRC', 'bad-data', (b: Buffer) => flip(b, 21 + 16 + 12 + 5, 1), /bad-data\.tfrecord: record at byte 37: data checksum \(CRC-32C\) mismatch over its 70000 bytes/],
    ['a bad length CRC', 'bad-length', (b: Buffer) => flip(b, 21 + 9, 0x10), /bad-length\.tfrecord: record at byte 21: length checksum \(CRC-32C\) mismatch/],
    ['a truncated record', 'truncated', (b: Buffer) => b.subarray(0, b.length - 100), /truncated\.tfrecord: record at byte 37: truncated: the header says 70000 data bytes, but the file ends 69904 bytes after it/],
    ['a truncated header', 'header', (b: Buffer) => b.subarray(0, 21 + 5), /header\.tfrecord: record at byte 21: truncated: the file ends 5 bytes into the 12-byte record header/],
  ])('reports %s with the file and byte offset', (_what, name, damage, msg) => {
    const f = write(`${name}.tfrecord`, damage(file()));
    const read = () => [...readTfRecords(f)];
    expect(read).toThrow(TfRecordError);
    expect(read).toThrow(msg);
  });

  it('names a missing file', () => {
    expect(() => [...readTfRecords(path.join(dir, 'missing.tfrecord'))]).toThrow(/cannot read TFRecord file .*missing\.tfrecord/);
  });
});
