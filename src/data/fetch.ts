import * as crypto from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import * as https from 'https';
import { Transform } from 'stream';
import { pipeline } from 'stream/promises';
import { Progress } from '../io/progress';

/** A download failure caused by the network or server (worth trying the next mirror). */
export class FetchError extends Error {}

/** The content did not match its published checksum. */
export class ChecksumError extends Error {}

const MIB = 1024 * 1024;

function get(url: string, timeoutMs: number, redirects = 5): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const lib = url.startsWith('https:') ? https : http;
    const req = lib.get(url, { timeout: timeoutMs }, (res) => {
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400 && res.headers.location) {
        res.resume();
        if (redirects === 0) return reject(new FetchError('too many redirects'));
        return resolve(get(new URL(res.headers.location, url).toString(), timeoutMs, redirects - 1));
      }
      if (status !== 200) {
        res.resume();
        return reject(new FetchError(`HTTP ${status} ${res.statusMessage ?? ''}`.trim()));
      }
      res.setTimeout(timeoutMs, () => res.destroy(new FetchError(`no data for ${timeoutMs / 1000} s`)));
      resolve(res);
    });
    req.on('timeout', () => req.destroy(new FetchError(`no answer within ${timeoutMs / 1000} s`)));
    req.on('error', (e) => reject(e instanceof FetchError ? e : new FetchError((e as Error).message)));
  });
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
      const len = Number(res.headers['content-length']);
      if (Number.isFinite(len) && len > 0) total = len;
      input = res;
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
