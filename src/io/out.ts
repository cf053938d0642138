import * as fs from 'fs';
import { UsageError } from './errors';

/** Why a file-system call on `target` failed, in words (for errors that name the option). */
export function fsReason(e: unknown, target: string): string {
  const err = e as NodeJS.ErrnoException;
  switch (err.code) {
    case 'EEXIST':
      return `${err.path ?? target} is a file, not a folder`;
    case 'ENOTDIR':
      return `part of the path ${err.path ?? target} is a file, not a folder`;
    case 'EACCES':
    case 'EPERM':
      return `no permission to write ${err.path ?? target}`;
    case 'EROFS':
      return `${err.path ?? target} is on a read-only file system`;
    case 'ENOSPC':
      return 'no space left on the device';
    default:
      return err.message;
  }
}

/**
 * mkdir -p for a run folder named by `--out` (or another option, `arg`), with errors that name
 * the option and say what is wrong instead of a raw EACCES/EEXIST.
 */
export function makeOutDir(dir: string, arg = '--out'): void {
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new UsageError(`${arg}: cannot create the folder ${dir}: ${fsReason(e, dir)}`);
  }
  if (!fs.statSync(dir).isDirectory()) throw new UsageError(`${arg}: ${dir} is a file, not a folder`);
  try {
    fs.accessSync(dir, fs.constants.W_OK);
  } catch (e) {
    throw new UsageError(`${arg}: cannot write in ${dir}: ${fsReason(e, dir)}`);
  }
}
