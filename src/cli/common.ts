import type { Argv } from 'yargs';
import { useBackend } from '../backend';
import { BACKEND_NAMES } from '../backend/registry';
import { badArgument } from '../io/errors';
import { SEARCHER_NAMES, TF_SEARCHERS, type SearcherName } from '../search/registry';
import { addOptions, type OptionSpecs } from './options';

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

/** What `tfnas bench nb201|nb101` share: the searchers to run, runs (seeds), budget, first seed, output. */
export interface SearcherBenchArgs extends BackendArgs {
  strategies: string[];
  runs: number;
  budget: number;
  seed: number;
  out?: string;
  json: boolean;
}

/** The options of a searcher benchmark on a table; `out` describes its default output folder. */
export function searcherBenchOptions<T>(y: Argv<T>, out: string): Argv<T & SearcherBenchArgs> {
  return backendOption(
    y
      .option('strategies', { type: 'string', array: true, default: [...SEARCHER_NAMES], choices: [...SEARCHER_NAMES], describe: 'searchers to run' })
      .option('runs', { type: 'number', default: 20, describe: 'runs (seeds) per strategy' })
      .option('budget', { type: 'number', default: 150, describe: 'table queries per run' })
      .option('seed', { type: 'number', default: 0, describe: 'seed of the first run; run r uses seed + r' })
      .option('out', { type: 'string', describe: `output folder (default ${out})` })
      .option('json', { type: 'boolean', default: false, describe: 'last stdout line: one JSON object with the table' }),
  ) as unknown as Argv<T & SearcherBenchArgs>;
}

/** Checks a searcher benchmark's numbers; `startBackend()` then starts TensorFlow.js if a chosen searcher needs it. */
export function searcherBenchArgs(argv: SearcherBenchArgs) {
  const positive = (name: string, v: number, min = 1): number => {
    if (!Number.isInteger(v) || v < min) badArgument(name, `an integer ≥ ${min}`, v);
    return v;
  };
  const strategies = [...new Set(argv.strategies.map(String))];
  return {
    strategies,
    runs: positive('runs', argv.runs),
    budget: positive('budget', argv.budget),
    seed: positive('seed', argv.seed, 0),
    startBackend: async () => {
      if (strategies.some((s) => TF_SEARCHERS.includes(s as SearcherName))) await startBackend(argv.backend);
    },
  };
}
