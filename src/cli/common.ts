import { backendLabel, useBackend } from '../backend';
import { BACKEND_NAMES } from '../backend/registry';
import { DATA_OPTIONS } from '../data/locate';
import { snakeKeys } from '../io/json-keys';
import { SEARCHER_NAMES } from '../search/blackbox/registry';
import { checks, CONFIG_OPTION, type OptionSpecs } from './options';

/** The `--backend` option every command that computes takes (spec entry; see options.ts). */
export const BACKEND_OPTION = {
  backend: {
    type: 'string',
    default: 'auto',
    choices: ['auto', ...BACKEND_NAMES],
    shapes: false,
    describe: 'TensorFlow.js backend (auto = first that works of tensorflow-gpu, webgpu on a hardware adapter, tensorflow, wasm, cpu)',
  },
} as const satisfies OptionSpecs;

/** `--json`, for every command that prints a summary. */
export const JSON_OPTION = {
  json: { type: 'boolean', default: false, record: false, describe: 'print a JSON summary as the last line on stdout' },
} as const satisfies OptionSpecs;

/** The options every command that loads data and computes ends with: --json, the data options, --backend, --config. */
export const RUN_OPTIONS = { ...JSON_OPTION, ...DATA_OPTIONS, ...BACKEND_OPTION, ...CONFIG_OPTION } as const satisfies OptionSpecs;

/** Selects the backend and says which one is in use (webgpu: on which adapter), once, on stderr. */
export async function startBackend(name: string): Promise<string> {
  const used = await useBackend(name);
  process.stderr.write(`tfnas: backend ${backendLabel(used)}\n`);
  return used;
}

/**
 * The options of a library call from yargs' argv: the spec's flags that were given, by flag name
 * (the API reads flag names as well as camelCase; yargs' camelCase copies and aliases are left out).
 */
export function cliOptions(argv: Record<string, unknown>, specs: OptionSpecs): Record<string, unknown> {
  return Object.fromEntries(Object.keys(specs).filter((f) => argv[f] !== undefined).map((f) => [f, argv[f]]));
}

/** Prints the final machine-readable summary: one JSON object as the last line on stdout, snake_case keys. */
export function printJsonSummary(value: unknown): void {
  process.stdout.write(JSON.stringify(snakeKeys(value)) + '\n');
}

/** What `tfnas bench nb201|nb101` share (spec entries; each command adds its table options and `out`'s default). */
export const SEARCHER_BENCH_OPTIONS = {
  strategies: { type: 'strings', default: [...SEARCHER_NAMES], choices: [...SEARCHER_NAMES], describe: 'searchers to run' },
  runs: { type: 'number', default: 20, check: checks.int(1), describe: 'runs (seeds) per strategy' },
  budget: { type: 'number', default: 150, check: checks.int(1), describe: 'table queries per run' },
  seed: { type: 'number', default: 0, check: checks.int(0), describe: 'seed of the first run; run r uses seed + r' },
  out: { type: 'string', describe: 'output folder' },
  ...JSON_OPTION,
  ...BACKEND_OPTION,
  ...CONFIG_OPTION,
} as const satisfies OptionSpecs;
