import * as fs from 'fs';
import * as path from 'path';
import { UsageError } from './errors';

/**
 * Resolves `rel`, a path that a file inside `base` names (a model.json's weight paths, a run
 * folder's references), and refuses anything that would leave `base`: absolute paths, `..`
 * segments that climb out, and symbolic links (of the file or any folder on the way) that point
 * outside. Checked before anything is read, so a crafted model folder cannot make tfnas read
 * another file. `what` names the argument for the message (e.g. `--model`).
 */
export function confinedPath(base: string, rel: string, what: string, namedIn: string): string {
  if (typeof rel !== 'string' || rel === '') throw new UsageError(`${what}: ${namedIn} names an empty file path`);
  if (path.isAbsolute(rel) || /^[A-Za-z]:[\\/]/.test(rel)) {
    throw new UsageError(`${what}: ${namedIn} names ${JSON.stringify(rel)}, an absolute path; files it names must be inside ${base}`);
  }
  const root = path.resolve(base);
  const target = path.resolve(root, rel);
  if (!isInside(root, target)) {
    throw new UsageError(`${what}: ${namedIn} names ${JSON.stringify(rel)}, which is outside ${base}; files it names must be inside that folder`);
  }
  if (fs.existsSync(target)) {
    const realRoot = fs.realpathSync(root);
    const realTarget = fs.realpathSync(target);
    if (!isInside(realRoot, realTarget)) {
      throw new UsageError(`${what}: ${namedIn} names ${JSON.stringify(rel)}, a symbolic link to ${realTarget} outside ${base}; refused`);
    }
  }
  return target;
}

function isInside(root: string, p: string): boolean {
  const r = path.relative(root, p);
  return r !== '' && !r.startsWith('..') && !path.isAbsolute(r);
}
