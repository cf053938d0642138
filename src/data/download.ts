import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { replaceDirAtomic } from '../io/atomic';
import { UsageError } from '../io/errors';
import { type Checksum, ChecksumError, FetchError, fetchVerified } from './fetch';
import { extractTar, TarError } from './tar';
import type { Downloadable, DownloadSpec, RemoteFile } from './types';

export interface DownloadOptions {
  /** Parent folder: the dataset goes to `<dataDir>/<name>` (default `data`). */
  dataDir?: string;
  /** Replaces the official URL bases: an http(s) base URL or a local folder holding the files. */
  mirror?: string;
  /** Download again even if the folder already holds the dataset. */
  force?: boolean;
  quiet?: boolean;
  timeoutMs?: number;
  log?: (line: string) => void;
}

export interface DownloadResult {
  dir: string;
  downloaded: boolean;
}

/** The folder a dataset is downloaded to, and where loaders look by default. */
export function datasetDir(dataDir: string, name: string): string {
  return path.resolve(dataDir, name);
}

function sourcesOf(f: RemoteFile, mirror?: string): string[] {
  if (!mirror) return f.urls;
  return [/^https?:\/\//.test(mirror) ? `${mirror.replace(/\/+$/, '')}/${f.file}` : path.resolve(mirror, f.file)];
}

/** What to do without network access, named precisely. */
export function offlineHelp(name: string, spec: DownloadSpec, dir: string, dataDir = 'data'): string {
  const urls = spec.files.map((f) => f.urls[0]).join(' ');
  const extracted = spec.extract ? ', extracted,' : '';
  const dd = dataDir === 'data' ? '' : ` --data-dir ${dataDir}`;
  const them = spec.files.length > 1 ? 'them' : 'it';
  return (
    `To install ${name} by hand, fetch ${urls} on a machine with internet access and put the files${extracted} in ${dir} ` +
    `(it must contain ${spec.expects}); or put the downloaded file${spec.files.length > 1 ? 's' : ''} in a folder F and run ` +
    `\`tfnas data download ${name}${dd} --mirror F\` to verify and install ${them}.` +
    (spec.offlineHint ? ` ${spec.offlineHint}` : '')
  );
}

function checksumOf(f: RemoteFile): Checksum {
  if (f.sha256) return { algorithm: 'sha256', hex: f.sha256 };
  if (f.md5) return { algorithm: 'md5', hex: f.md5 };
  throw new Error(`${f.file}: no published checksum`);
}

async function fetchOne(f: RemoteFile, dest: string, name: string, spec: DownloadSpec, dir: string, o: DownloadOptions): Promise<void> {
  const failures: string[] = [];
  for (const src of sourcesOf(f, o.mirror)) {
    try {
      o.log?.(`downloading ${src}`);
      await fetchVerified(src, dest, checksumOf(f), { expectedBytes: f.bytes, quiet: o.quiet, timeoutMs: o.timeoutMs });
      return;
    } catch (e) {
      if (e instanceof ChecksumError) {
        throw new UsageError(`checksum mismatch for ${src}: ${e.message}; the file is damaged or not the published one. Nothing was written.`);
      }
      if (!(e instanceof FetchError)) throw e;
      failures.push(`${src}: ${e.message}`);
    }
  }
  throw new UsageError(`could not download ${f.file} (${failures.join('; ')}). Nothing was written. ${offlineHelp(name, spec, dir, o.dataDir)}`);
}

async function extractInto(archive: string, dir: string, spec: DownloadSpec): Promise<void> {
  const gunzip = fs.createReadStream(archive).pipe(zlib.createGunzip());
  try {
    const members = await extractTar(gunzip, (m) => {
      const out = spec.extract!(m.path);
      return out ? path.join(dir, out) : null;
    });
    if (members.length === 0) throw new TarError('the archive holds none of the expected files');
  } catch (e) {
    const why = e instanceof TarError ? e.message : `gzip stream: ${(e as Error).message}`;
    throw new UsageError(`${archive}: cannot extract (${why}). Nothing was written.`);
  } finally {
    gunzip.destroy();
  }
  fs.rmSync(archive);
}

/** The topmost folder of `dir` that does not exist yet (what mkdir -p would create), or null. */
function firstMissingAncestor(dir: string): string | null {
  let missing: string | null = null;
  for (let d = path.resolve(dir); !fs.existsSync(d); d = path.dirname(d)) missing = d;
  return missing;
}

function onlyEmptyFolders(dir: string): boolean {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) return false;
  return fs.readdirSync(dir).every((e) => onlyEmptyFolders(path.join(dir, e)));
}

/** Removes temporary folders left by a download that was killed (its process is gone). */
function removeStaleTemps(parent: string, name: string): void {
  if (!fs.existsSync(parent)) return;
  for (const entry of fs.readdirSync(parent)) {
    const m = new RegExp(`^\\.tmp-${name.replace(/[^\w]/g, '\\$&')}-(\\d+)-\\d+(-old)?$`).exec(entry);
    if (!m) continue;
    let alive = Number(m[1]) === process.pid;
    try {
      if (!alive) process.kill(Number(m[1]), 0);
      alive = true;
    } catch (e) {
      alive = (e as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by someone else
    }
    if (!alive) fs.rmSync(path.join(parent, entry), { recursive: true, force: true });
  }
}

/** Throws unless `dir` holds the installed data: the spec's own check, else one image of each split loads. */
function verify(factory: Downloadable, dir: string): void {
  if (factory.download?.verify) factory.download.verify(dir);
  else factory.load?.({ dir, trainLimit: 1, testLimit: 1 });
}

/** True when `dir` already holds the data (see verify). */
function installed(factory: Downloadable, dir: string): boolean {
  try {
    verify(factory, dir);
    return true;
  } catch {
    return false; // absent, incomplete or damaged: download (again)
  }
}

/** Fetches, verifies and extracts every file of `spec` into `tmp`, then checks the result loads. */
async function fill(tmp: string, factory: Downloadable, spec: DownloadSpec, dir: string, o: DownloadOptions): Promise<void> {
  for (const f of spec.files) {
    const dest = path.join(tmp, f.file);
    await fetchOne(f, dest, factory.name, spec, dir, o);
    if (spec.extract) await extractInto(dest, tmp, spec);
  }
  try {
    verify(factory, tmp);
  } catch (e) {
    throw new UsageError(`the downloaded ${factory.name} files are incomplete: ${(e as Error).message}. Nothing was written.`);
  }
}

/**
 * Downloads a dataset into `<dataDir>/<name>`: every file is checked against its published md5 (SHA-256),
 * archives are extracted with Node's zlib and node-tar (tar.ts), and the result is checked by loading
 * one image of each split. All of it happens in a temporary sibling folder that is renamed into
 * place only at the end, so a failure or Ctrl-C leaves nothing behind and a rerun starts clean.
 */
export async function downloadDataset(factory: Downloadable, o: DownloadOptions = {}): Promise<DownloadResult> {
  const spec = factory.download;
  if (!spec) throw new UsageError(`${factory.name} is generated, not downloaded; nothing to do`);
  const dir = datasetDir(o.dataDir ?? 'data', factory.name);
  if (!o.force && fs.existsSync(dir) && installed(factory, dir)) {
    o.log?.(`${factory.name} is already in ${dir} (use --force to download again)`);
    return { dir, downloaded: false };
  }
  const parent = path.dirname(dir);
  const created = firstMissingAncestor(parent);
  removeStaleTemps(parent, factory.name);
  let tmpDir: string | null = null;
  // Leave no trace: not even the (empty) --data-dir folders this run created.
  const cleanup = () => {
    if (tmpDir) fs.rmSync(tmpDir, { recursive: true, force: true });
    if (created && onlyEmptyFolders(created)) fs.rmSync(created, { recursive: true });
  };
  const onSignal = (sig: NodeJS.Signals) => {
    cleanup();
    process.stderr.write(`\ntfnas: ${sig}: download interrupted, nothing was written\n`);
    // Exit as Node would without this handler; a program that handles the signal itself decides.
    if (process.listenerCount(sig) === 0) process.exit(130);
  };
  process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
  try {
    await replaceDirAtomic(dir, (tmp) => fill((tmpDir = tmp), factory, spec, dir, o));
  } catch (e) {
    cleanup();
    throw e;
  } finally {
    process.removeListener('SIGINT', onSignal).removeListener('SIGTERM', onSignal);
  }
  o.log?.(`${factory.name} installed in ${dir}`);
  return { dir, downloaded: true };
}
