import * as crypto from 'crypto';
import * as fs from 'fs';
import { Readable, Transform } from 'stream';
import { pipeline } from 'stream/promises';
import { Progress } from '../io/progress';

/** A download failure caused by the network or server (worth trying the next mirror). */
export class FetchError extends Error {}

/** The content did not match its published checksum. */
export class ChecksumError extends Error {}

const MIB = 1024 * 1024;

/**
 * Opens `url` with Node's built-in fetch (redirects followed). Fails with a FetchError on a
 * non-200 status, no answer within `timeoutMs`, or (while streaming) no data for `timeoutMs`.
 */
async function get(url: string, timeoutMs: number): Promise<{ body: Readable; length: number | undefined }> {
  const abort = new AbortController();
  let timer = setTimeout(() => abort.abort(new FetchError(`no answer within ${timeoutMs / 1000} s`)), timeoutMs);
  let res: Response;
  try {
    res = await fetch(url, { signal: abort.signal, redirect: 'follow' });
  } catch (e) {
    clearTimeout(timer);
    const err = e as Error & { cause?: Error };
    if (err instanceof FetchError) throw err;
    throw new FetchError(err.cause?.message ?? err.message);
  }
  clearTimeout(timer);
  if (res.status !== 200 || !res.body) {
    await res.body?.cancel();
    throw new FetchError(`HTTP ${res.status} ${res.statusText}`.trim());
  }
  const body = Readable.fromWeb(res.body as import('stream/web').ReadableStream<Uint8Array>);
  // An idle timeout while streaming: restarted by every chunk.
  const idle = () => {
    clearTimeout(timer);
    timer = setTimeout(() => body.destroy(new FetchError(`no data for ${timeoutMs / 1000} s`)), timeoutMs);
  };
  idle();
  body.on('data', idle).on('close', () => clearTimeout(timer));
  const len = Number(res.headers.get('content-length'));
  return { body, length: Number.isFinite(len) && len > 0 ? len : undefined };
}

/** Hashes and counts bytes as they pass, and moves the progress bar. */
function tap(hash: crypto.Hash, progress: Progress | null, counter: { bytes: number }): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      counter.bytes += chunk.length;
      progress?.update(Math.floor(counter.bytes / MIB));
      done(null, chunk);
    },
  });
}

/** A published checksum: md5 for most datasets, SHA-256 where that is what the authors publish (NAS-Bench-101). */
export interface Checksum {
  algorithm: 'md5' | 'sha256';
  hex: string;
}

export interface FetchOptions {
  expectedBytes?: number;
  quiet?: boolean;
  timeoutMs?: number;
}

/**
 * Copies `source` (an http(s) URL or a local file) to `dest`, checking its md5. On any failure
 * `dest` is removed and the error says why: FetchError for the network, ChecksumError for content.
 */
export async function fetchVerified(source: string, dest: string, sum: Checksum, opts: FetchOptions = {}): Promise<void> {
  const remote = /^https?:\/\//.test(source);
  const counter = { bytes: 0 };
  let progress: Progress | null = null;
  try {
    let input: NodeJS.ReadableStream;
    let total = opts.expectedBytes;
    if (remote) {
      const res = await get(source, opts.timeoutMs ?? 30000);
      if (res.length !== undefined) total = res.length;
      input = res.body;
    } else {
      if (!fs.existsSync(source)) throw new FetchError('file not found');
      total = fs.statSync(source).size;
      input = fs.createReadStream(source);
    }
    progress = new Progress(`${source.split('/').pop()} MiB`, Math.max(1, Math.ceil((total ?? 0) / MIB)), process.stderr, opts.quiet);
    const hash = crypto.createHash(sum.algorithm);
    try {
      await pipeline(input, tap(hash, progress, counter), fs.createWriteStream(dest));
    } catch (e) {
      throw new FetchError(`transfer failed after ${counter.bytes} bytes: ${(e as Error).message}`);
    }
    if (remote && total !== undefined && counter.bytes !== total) {
      throw new FetchError(`connection closed after ${counter.bytes} of ${total} bytes`);
    }
    progress.update(Math.ceil(counter.bytes / MIB));
    const got = hash.digest('hex');
    if (got !== sum.hex) throw new ChecksumError(`${sum.algorithm} is ${got}, expected ${sum.hex} (${counter.bytes} bytes received)`);
  } catch (e) {
    fs.rmSync(dest, { force: true });
    throw e;
  } finally {
    progress?.stop();
  }
}
