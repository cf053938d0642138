/**
 * config.json of every run (search, black-box search, train): the command, every option's value
 * (snake_case keys, the form `--config` reads back), the tfnas, tfjs and Node versions, the backend
 * and the command line, so that a run can be repeated exactly (`tfnas <command> --config
 * <run>/config.json`). A resumed run keeps `started` and appends to `resumed`.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { readJson, writeJsonAtomic } from './atomic';
import { adapterInUse } from '../backend/webgpu';
import { snakeKeys } from './json-keys';

export interface RunRecord {
  command: string;
  options: Record<string, unknown>;
  tfnas: string;
  versions: Record<string, string>;
  backend: string | null;
  /** webgpu: the adapter the run used; `is_fallback_adapter` true marks a software (not GPU) run. */
  webgpu_adapter?: Record<string, unknown>;
  /** The arguments as given (without `node tfnas`), and as one shell-quoted line. */
  argv: string[];
  command_line: string;
  started: string;
  resumed?: string[];
}

let givenArgs: string[] | null = null;

/** Remembers the arguments the CLI was called with (main() does, so in-process runs record theirs). */
export function setCommandLine(args: string[]): void {
  givenArgs = args.slice();
}

const quote = (a: string) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);

export function versions(): Record<string, string> {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const pkg = require('../../package.json') as { version: string };
  return { tfnas: pkg.version, tfjs: tf.version.tfjs, node: process.version };
}

export function runRecord(command: string, options: Record<string, unknown>, backend: string | null): RunRecord {
  const argv = givenArgs ?? process.argv.slice(2);
  const v = versions();
  const adapter = backend === 'webgpu' ? adapterInUse() : null;
  return {
    command, options, tfnas: v.tfnas, versions: v, backend, ...(adapter ? { webgpu_adapter: snakeKeys(adapter) as Record<string, unknown> } : {}),
    argv, command_line: ['tfnas', ...argv].map(quote).join(' '), started: new Date().toISOString(),
  };
}

/** The options recorded by the run in `runDir` (its config.json), if it has one. */
export function savedOptions(runDir: string): Record<string, unknown> | undefined {
  const file = path.join(runDir, 'config.json');
  if (!fs.existsSync(file)) return undefined;
  return readJson<{ options?: Record<string, unknown> }>(file).options;
}

/** Writes config.json: the record plus `extra`; on resume, keeps `started` and appends to `resumed`. */
export function writeRunConfig(runDir: string, record: RunRecord, extra: Record<string, unknown>, resume: boolean): void {
  const file = path.join(runDir, 'config.json');
  let out: Record<string, unknown> = { ...record, ...extra };
  if (resume && fs.existsSync(file)) {
    const prev = readJson<{ started?: string; resumed?: string[] }>(file);
    out = { ...out, started: prev.started ?? record.started, resumed: [...(prev.resumed ?? []), record.started] };
  }
  writeJsonAtomic(file, out);
}
