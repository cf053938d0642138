import * as fs from 'fs';

/**
 * A small streaming reader for (ustar / GNU / pax) tar archives, enough for dataset tarballs:
 * regular files and folders, GNU long names ('L') and pax `path=` records. Each member is handed
 * to `choose`, which returns the file to write it to, or null to skip it. Nothing is buffered
 * beyond one chunk, so a 180 MB archive streams through in constant memory.
 */
export interface TarMember {
  path: string;
  size: number;
  type: string;
}

const BLOCK = 512;

function field(h: Buffer, off: number, len: number): string {
  const s = h.subarray(off, off + len);
  const end = s.indexOf(0);
  return s.subarray(0, end < 0 ? len : end).toString('utf8');
}

function octal(h: Buffer, off: number, len: number): number {
  if (h[off] & 0x80) {
    // GNU base-256 for sizes of 8 GiB and more.
    let v = 0;
    for (let i = off + 1; i < off + len; i++) v = v * 256 + h[i];
    return v;
  }
  const s = field(h, off, len).trim();
  return s ? parseInt(s, 8) : 0;
}

export class TarError extends Error {}

/** Parses one header block; checks its checksum. Returns null for an end-of-archive zero block. */
function parseHeader(h: Buffer): TarMember | null {
  if (h.every((b) => b === 0)) return null;
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : h[i];
  const stored = octal(h, 148, 8);
  if (stored !== sum) throw new TarError(`bad tar header checksum (stored ${stored}, computed ${sum})`);
  const name = field(h, 0, 100);
  // Only POSIX ustar ("ustar\0") has a name prefix at 345; old GNU ("ustar  \0") keeps times there.
  const posix = h.subarray(257, 263).toString('latin1') === 'ustar\0';
  const prefix = posix ? field(h, 345, 155) : '';
  return { path: prefix ? `${prefix}/${name}` : name, size: octal(h, 124, 12), type: String.fromCharCode(h[156] || 48) };
}

function paxPath(data: Buffer): string | null {
  // Records are "<len> key=value\n".
  for (const line of data.toString('utf8').split('\n')) {
    const m = /^\d+ path=(.*)$/.exec(line);
    if (m) return m[1];
  }
  return null;
}

/** Rejects absolute paths and `..` so an archive cannot write outside the target folder. */
export function safeMemberPath(p: string): string {
  const clean = p.replace(/^\.\//, '');
  if (clean.startsWith('/') || clean.split('/').includes('..')) throw new TarError(`unsafe path in archive: ${p}`);
  return clean;
}

/** The parser's state between chunks: the member being read and where its data goes. */
class TarReader {
  readonly written: TarMember[] = [];
  ended = false;
  private member: TarMember | null = null;
  private remaining = 0; // data bytes left in the current member
  private padding = 0;
  private fd: number | null = null;
  private meta: Buffer[] | null = null; // collects 'L' / 'x' member data
  private nextName: string | null = null;

  constructor(private readonly choose: (m: TarMember) => string | null) {}

  get inMember(): boolean {
    return this.member !== null;
  }

  /** Consumes what it can of `buf` from `pos`; returns the new position. */
  consume(buf: Buffer, pos: number): number {
    while (!this.ended) {
      const before = this.member;
      const next = this.member ? this.readData(buf, pos) : this.readHeader(buf, pos);
      if (next === pos && this.member === before) break; // needs more input
      pos = next;
    }
    return pos;
  }

  private readData(buf: Buffer, pos: number): number {
    const take = Math.min(this.remaining, buf.length - pos);
    if (take > 0) {
      const part = buf.subarray(pos, pos + take);
      if (this.fd !== null) fs.writeSync(this.fd, part);
      if (this.meta) this.meta.push(Buffer.from(part));
      this.remaining -= take;
    }
    if (this.remaining > 0 || buf.length - pos - take < this.padding) return pos + take;
    this.close();
    const member = this.member!;
    if (this.meta && member.type === 'L') this.nextName = Buffer.concat(this.meta).toString('utf8').replace(/\0+$/, '');
    if (this.meta && member.type === 'x') this.nextName = paxPath(Buffer.concat(this.meta)) ?? this.nextName;
    this.meta = null;
    this.member = null;
    return pos + take + this.padding;
  }

  private readHeader(buf: Buffer, pos: number): number {
    if (buf.length - pos < BLOCK) return pos;
    const header = parseHeader(buf.subarray(pos, pos + BLOCK));
    if (!header) {
      this.ended = true;
      return pos + BLOCK;
    }
    const isMeta = header.type === 'L' || header.type === 'x';
    if (this.nextName && !isMeta) {
      header.path = this.nextName;
      this.nextName = null;
    }
    this.member = header;
    this.remaining = header.size;
    this.padding = (BLOCK - (header.size % BLOCK)) % BLOCK;
    if (isMeta) this.meta = [];
    else if (header.type === '0' || header.type === '7') {
      safeMemberPath(header.path);
      const dest = this.choose(header);
      if (dest) {
        this.fd = fs.openSync(dest, 'w');
        this.written.push(header);
      }
    }
    return pos + BLOCK;
  }

  close(): void {
    if (this.fd !== null) fs.closeSync(this.fd);
    this.fd = null;
  }
}

export async function extractTar(stream: AsyncIterable<Buffer>, choose: (m: TarMember) => string | null): Promise<TarMember[]> {
  const reader = new TarReader(choose);
  let pending: Buffer = Buffer.alloc(0);
  try {
    for await (const chunk of stream) {
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      pending = pending.subarray(reader.consume(pending, 0));
      if (reader.ended) break;
    }
  } finally {
    reader.close();
  }
  if (reader.inMember || (!reader.ended && pending.length > 0)) throw new TarError('archive ends in the middle of a member (truncated)');
  return reader.written;
}
