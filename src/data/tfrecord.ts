/**
 * TFRecord files (TensorFlow's record format): each record is a little-endian uint64 length, the
 * masked CRC-32C of those 8 bytes, the data, and the masked CRC-32C of the data (tensorflow
 * core/lib/io/record_writer.cc). Both checksums are checked; a damaged or truncated file is an
 * error naming the file and the record's byte offset. Read in large chunks, one record at a time,
 * so a file of any size streams in constant memory.
 */
import * as fs from 'fs';
import { buf as crc32cOf } from 'crc-32/crc32c';
import { UsageError } from '../io/errors';

/** TensorFlow's CRC mask (crc32c.h: rotate right by 15, add a constant), so that CRCs of CRCs stay well distributed. */
const MASK_DELTA = 0xa282ead8;

export function maskedCrc32c(data: Uint8Array): number {
  const crc = crc32cOf(data) >>> 0;
  return (((crc >>> 15) | (crc << 17)) + MASK_DELTA) >>> 0;
}

/** A damaged TFRecord file (bad checksum, truncated record). */
export class TfRecordError extends UsageError {}

/** One record in TFRecord framing. */
export function encodeTfRecord(data: Uint8Array): Buffer {
  const out = Buffer.alloc(16 + data.length);
  out.writeBigUInt64LE(BigInt(data.length), 0);
  out.writeUInt32LE(maskedCrc32c(out.subarray(0, 8)), 8);
  out.set(data, 12);
  out.writeUInt32LE(maskedCrc32c(data), 12 + data.length);
  return out;
}

export interface TfRecord {
  /** Byte offset of the record's header in the file. */
  offset: number;
  data: Buffer;
}

const CHUNK = 8 * 1024 * 1024;

/**
 * The records of `file`, in order. `onBytes(position)` is called after each chunk read (for a
 * progress bar). Throws TfRecordError naming the file and offset on a bad length CRC, a bad data
 * CRC or a record cut short by the end of the file.
 */
export function* readTfRecords(file: string, onBytes?: (position: number) => void): Generator<TfRecord> {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (e) {
    throw new UsageError(`cannot read TFRecord file ${file}: ${(e as Error).message}`);
  }
  try {
    const size = fs.fstatSync(fd).size;
    let buf = Buffer.alloc(0);
    let bufStart = 0; // file offset of buf[0]
    let pos = 0; // file offset of the next record
    const fill = (need: number): boolean => {
      // Make buf hold [pos, pos + need); false if the file ends first.
      if (pos + need <= bufStart + buf.length) return true;
      if (pos + need > size) return false;
      const keep = buf.subarray(pos - bufStart);
      const next = Buffer.alloc(Math.max(need, CHUNK));
      keep.copy(next);
      const got = fs.readSync(fd, next, keep.length, next.length - keep.length, pos + keep.length);
      buf = next.subarray(0, keep.length + got);
      bufStart = pos;
      onBytes?.(bufStart + buf.length);
      return pos + need <= bufStart + buf.length;
    };
    const fail = (what: string) => new TfRecordError(`${file}: record at byte ${pos}: ${what}`);
    while (pos < size) {
      if (!fill(12)) throw fail(`truncated: the file ends ${size - pos} bytes into the 12-byte record header`);
      const at = pos - bufStart;
      const header = buf.subarray(at, at + 8);
      if (buf.readUInt32LE(at + 8) !== maskedCrc32c(header)) throw fail('length checksum (CRC-32C) mismatch: the file is damaged or not a TFRecord file');
      const len = Number(buf.readBigUInt64LE(at));
      if (!fill(16 + len)) throw fail(`truncated: the header says ${len} data bytes, but the file ends ${size - pos - 12} bytes after it (expected ${len + 4} with the checksum)`);
      const a = pos - bufStart;
      const data = buf.subarray(a + 12, a + 12 + len);
      if (buf.readUInt32LE(a + 12 + len) !== maskedCrc32c(data)) throw fail(`data checksum (CRC-32C) mismatch over its ${len} bytes: the file is damaged`);
      yield { offset: pos, data: Buffer.from(data) };
      pos += 16 + len;
    }
  } finally {
    fs.closeSync(fd);
  }
}
