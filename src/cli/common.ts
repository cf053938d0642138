import type { Argv } from 'yargs';
import { useBackend } from '../backend';
import { BACKEND_NAMES } from '../backend/registry';
import { DATA_OPTIONS } from '../data/locate';
import { addOptions, CONFIG_OPTION, type OptionSpecs } from './options';

export interface BackendArgs {
  backend: string;
}

/** The `--backend` option every command that computes takes (spec entry; see options.ts). */
export const BACKEND_OPTION = {
  backend: {
    type: 'string',
    default: 'auto',
    choices: ['auto', ...BACKEND_NAMES],
    shapes: false,
    describe: 'TensorFlow.js backend (auto = first of tensorflow-gpu, tensorflow, wasm, cpu that works)',
  },
} as const satisfies OptionSpecs;

/** `--json`, for every command that prints a summary. */
export const JSON_OPTION = {
  json: { type: 'boolean', default: false, record: false, describe: 'print a JSON summary as the last line on stdout' },
} as const satisfies OptionSpecs;

/** The options every command that loads data and computes ends with: --json, the data options, --backend, --config. */
export const RUN_OPTIONS = { ...JSON_OPTION, ...DATA_OPTIONS, ...BACKEND_OPTION, ...CONFIG_OPTION } as const satisfies OptionSpecs;

/** Adds BACKEND_OPTION to a command whose options are not a spec yet. */
export function backendOption<T>(y: Argv<T>): Argv<T & BackendArgs> {
  return addOptions(y, BACKEND_OPTION).default('backend', 'auto') as Argv<T & BackendArgs>;
}

/** Selects the backend and says which one is in use, once, on stderr. */
export async function startBackend(name: string): Promise<string> {
  const used = await useBackend(name);
  process.stderr.write(`tfnas: backend ${used}\n`);
  return used;
}

/**
 * The one JSON key style of tfnas: snake_case. camelCase identifiers (`perClass`) become
 * `per_class`; other keys are data (class names such as "T-shirt/top", op names) and stay as
 * they are.
 */
export function snakeKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(snakeKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [/^[a-z][a-z0-9]*[A-Z][A-Za-z0-9]*$/.test(k) ? k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`) : k, snakeKeys(v)]),
  );
}

/** Prints the final machine-readable summary: one JSON object as the last line on stdout, snake_case keys. */
export function printJsonSummary(value: unknown): void {
  process.stdout.write(JSON.stringify(snakeKeys(value)) + '\n');
}
