import * as fs from 'fs';
import { once } from 'events';
import { Parser, type ReadEntry } from 'tar';

/**
 * Reads a tar stream with node-tar's parser (ustar, GNU long names, pax headers) and writes the
 * regular-file members that `choose` maps to a file; the others are skipped. Streams in constant
 * memory (a 180 MB archive passes through). Paths that would leave the target folder are refused,
 * and a damaged or truncated archive is a TarError, never a partial success.
 */
export interface TarMember {
  path: string;
  size: number;
  /** The tar type flag: '0' (file), '7' (contiguous file), or node-tar's name for other types. */
  type: string;
}

export class TarError extends Error {}

/** Rejects absolute paths and `..` so an archive cannot write outside the target folder. */
export function safeMemberPath(p: string): string {
  const clean = p.replace(/^\.\//, '');
  if (clean.startsWith('/') || clean.split('/').includes('..')) throw new TarError(`unsafe path in archive: ${p}`);
  return clean;
}

const FILE_TYPES: Record<string, string> = { File: '0', OldFile: '0', ContiguousFile: '7' };

function tarError(e: Error): TarError {
  if (e instanceof TarError) return e;
  if (/checksum/i.test(e.message)) return new TarError(`bad tar header checksum (${e.message})`);
  if (/truncated/i.test(e.message)) return new TarError(`archive ends in the middle of a member (truncated): ${e.message}`);
  return new TarError(e.message);
}

export async function extractTar(stream: AsyncIterable<Buffer>, choose: (m: TarMember) => string | null): Promise<TarMember[]> {
  const written: TarMember[] = [];
  const files: Promise<unknown>[] = [];
  let failure: Error | null = null;
  // strict: every warning (bad checksum, truncation, unknown format) is an error.
  const parser = new Parser({ strict: true });
  const done = new Promise<void>((resolve, reject) => {
    parser.on('end', resolve);
    parser.on('error', (e: Error) => reject((failure = failure ?? e)));
  });
  done.catch(() => undefined);
  parser.on('entry', (entry: ReadEntry) => {
    const type = FILE_TYPES[entry.type];
    if (!type || failure) return void entry.resume();
    try {
      const member = { path: entry.path, size: entry.size ?? 0, type };
      safeMemberPath(member.path);
      const dest = choose(member);
      if (!dest) return void entry.resume();
      written.push(member);
      const out = fs.createWriteStream(dest);
      files.push(once(out, 'close'));
      entry.pipe(out);
    } catch (e) {
      failure = e as Error;
      entry.resume();
    }
  });
  let bytes = 0;
  for await (const chunk of stream) {
    if (failure) break;
    bytes += chunk.length;
    if (!parser.write(chunk)) await Promise.race([once(parser, 'drain'), done]);
  }
  // A tar stream is whole 512-byte blocks; node-tar ignores a partial header at the very end.
  if (!failure && bytes % 512 !== 0) failure = new TarError(`archive ends in the middle of a block after ${bytes} bytes (truncated)`);
  if (!failure) parser.end();
  try {
    if (!failure) await done;
    await Promise.all(files);
  } catch (e) {
    failure = failure ?? (e as Error);
  }
  if (failure) throw tarError(failure);
  return written;
}
