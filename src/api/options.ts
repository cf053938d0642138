/**
 * How a library call reads its options: the same spec, defaults and checks as the command's flags
 * (src/cli/options.ts), keyed in camelCase (`batchSize` for `--batch-size`) or by the flag name.
 * Nothing here names an option: a new spec entry is a new API option, typed by `ApiOptions`.
 */
import { backendLabel, useBackend } from '../backend';
import { camel, readOptions, type OptionSpecs, type Values } from '../cli/options';
import { TfnasError } from '../io/errors';
import type { ProgressEvent } from '../io/run-hooks';
import type { Dataset } from '../data/types';
import type { ArrayData } from './data';

/** What every long-running call takes besides its command's options. */
export interface RunControls {
  /** Each training step, finished epoch or search query (epoch/step, losses, ETA). */
  onProgress?: (e: ProgressEvent) => void;
  /** Aborting stops the run at the next step with TfnasError `ABORTED`; `resume: true` continues it. */
  signal?: AbortSignal;
  /** Where the run's lines go (default: stderr, each prefixed `tfnas: `). */
  log?: (line: string) => void;
}

/** Calls that train on images also take them in memory instead of a dataset name. */
export interface DataControls {
  /** In-memory images (or a loaded Dataset): used instead of `dataset`/`dataDir`. */
  data?: ArrayData | Dataset;
}

/** A command's options for a library call: the spec's flags in camelCase, all optional (defaults as the CLI's). */
export type ApiOptions<S extends OptionSpecs> = Partial<Values<S>>;

/** The keys a call takes besides its spec's options. */
const CONTROL_KEYS = new Set(['onProgress', 'signal', 'log', 'data']);

/**
 * The checked values of a library call's options, as `readOptions` gives the CLI's: an unknown key
 * is a TfnasError naming it (a typo must not be silently dropped), then types, choices, checks and
 * defaults come from the spec. Also returns the options given, keyed by flag (as yargs gives the CLI's).
 */
export function readApiOptions<S extends OptionSpecs>(
  options: Record<string, unknown>,
  specs: S,
  command: string,
): { values: Values<S> & { given: Record<string, unknown> }; argv: Record<string, unknown> } {
  const byCamel = new Map(Object.keys(specs).map((flag) => [camel(flag), flag]));
  const argv: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options ?? {})) {
    if (CONTROL_KEYS.has(key) || value === undefined) continue;
    const flag = specs[key] ? key : byCamel.get(key);
    if (!flag) {
      const known = [...byCamel.keys()].join(', ');
      throw new TfnasError(`${key}: not an option of ${command} (its options: ${known})`, { option: key, code: 'BAD_OPTION' });
    }
    argv[flag] = value;
  }
  const values = readOptions(argv, specs, command);
  return { values, argv };
}

/** The log function of a call: the caller's, else stderr with the CLI's prefix. */
export function logOf(c: RunControls): (line: string) => void {
  return c.log ?? ((line: string) => process.stderr.write(`tfnas: ${line}\n`));
}

/** Selects the backend of a call (`backend` option) and says which one is in use (webgpu: on which adapter). */
export async function startApiBackend(name: string, log: (line: string) => void): Promise<string> {
  const used = await useBackend(name, log);
  log(`backend ${backendLabel(used)}`);
  return used;
}
