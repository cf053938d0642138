/**
 * One declarative option spec per command. Each entry says, once: the flag, its type, default,
 * aliases, choices, a one-line why and a check. From it come the yargs options (`addOptions`), the
 * typed values with defaults applied and checked (`readOptions`), the `options` record of
 * config.json (snake_case keys, as every JSON tfnas writes) and the `--resume` comparison
 * (`checkResume`). `--config FILE` (a JSON file of options, or a run's own config.json) fills in
 * whatever the command line does not give. Adding an option to a command is one entry.
 */
import * as fs from 'fs';
import type { Argv, Options } from 'yargs';
import { UsageError } from '../io/errors';

export type OptionType = 'string' | 'number' | 'boolean' | 'strings';

/** A check returns what was expected when the value is bad, or null when it is fine. */
export type Check = (value: never, all: Record<string, unknown>) => string | null;

export interface OptionSpec {
  type: OptionType;
  /** One line: what it does and why one would change it. */
  describe: string;
  /** Absent: the option is optional (undefined unless given). */
  default?: unknown;
  /** Other names of the same concept (e.g. `lr` for `learning-rate`). */
  alias?: string | string[];
  choices?: readonly (string | number)[];
  check?: Check;
  group?: string;
  demand?: boolean;
  /** Shown in --help instead of the default value. */
  defaultDescription?: string;
  /**
   * False for options that do not shape the result (where files go, output format, memory mode):
   * they may differ on --resume and are not compared. Default true.
   */
  shapes?: boolean;
  /** False for options that are not recorded in config.json (--resume, --config, --json…). */
  record?: boolean;
}

export type OptionSpecs = Record<string, OptionSpec>;

type Camel<S extends string> = S extends `${infer H}-${infer T}` ? `${H}${Capitalize<Camel<T>>}` : S;
type ValueOf<O extends OptionSpec> = O['type'] extends 'number' ? number : O['type'] extends 'boolean' ? boolean : O['type'] extends 'strings' ? string[] : string;

/** The typed values of a spec: camelCase keys; options without a default may be undefined. */
export type Values<S extends OptionSpecs> = {
  [K in keyof S & string as Camel<K>]: S[K] extends { default: unknown } | { demand: true } ? ValueOf<S[K]> : ValueOf<S[K]> | undefined;
};

export const camel = (flag: string): string => flag.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
export const snake = (flag: string): string => flag.replace(/-/g, '_');

/** Common checks (each returns the expectation when it fails). */
export const checks = {
  int: (min: number): Check => ((v: number) => (Number.isInteger(v) && v >= min ? null : min === 0 ? 'a non-negative integer' : min === 1 ? 'a positive integer' : `an integer ≥ ${min}`)) as Check,
  atLeast: (min: number): Check => ((v: number) => (Number.isFinite(v) && v >= min ? null : `a number ≥ ${min}`)) as Check,
  positive: ((v: number) => (Number.isFinite(v) && v > 0 ? null : 'a positive number')) as Check,
  probability: ((v: number) => (v >= 0 && v < 1 ? null : 'a number in [0, 1)')) as Check,
  nonEmpty: ((v: string) => (v.trim() !== '' ? null : 'a non-empty value')) as Check,
};

function helpText(o: OptionSpec): string {
  if (o.defaultDescription === undefined && (o.default === undefined || o.default === false)) return o.describe;
  const shown = o.defaultDescription ?? (Array.isArray(o.default) ? o.default.join(' ') : String(o.default));
  return `${o.describe} [default: ${shown}]`;
}

/**
 * Adds the spec's options to yargs. Defaults are not given to yargs: readOptions applies them,
 * after `--config`, so that a value from the command line, then the config file, then the
 * default wins, and so that config.json can tell what the user set.
 */
export function addOptions<T>(y: Argv<T>, specs: OptionSpecs): Argv<T> {
  let out = y;
  for (const [flag, o] of Object.entries(specs)) {
    const opt: Options = {
      type: o.type === 'strings' ? 'string' : o.type,
      array: o.type === 'strings' || undefined,
      describe: helpText(o),
      alias: o.alias,
      choices: o.choices as Options['choices'],
      group: o.group,
    };
    out = out.option(flag, opt) as Argv<T>;
  }
  return out;
}

/** The `--config FILE` option every command that runs something takes. */
export const CONFIG_OPTION: OptionSpecs = {
  config: {
    type: 'string',
    describe: 'JSON file of options (keys: option names, e.g. {"epochs": 10}); a run\'s own config.json repeats that run; the command line wins',
    record: false,
  },
};

/**
 * Options from a `--config` file: a plain object of option names (snake_case or kebab-case), or
 * the config.json of a run (its `options`). Only options of this command are accepted.
 */
export function readConfigFile(file: string, specs: OptionSpecs, command: string): Record<string, unknown> {
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, ''));
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new UsageError(`--config: ${err.code === 'ENOENT' ? `${file} does not exist` : `cannot read ${file}: ${err.message}`}`);
  }
  if (!json || typeof json !== 'object' || Array.isArray(json)) throw new UsageError(`--config: ${file} must hold a JSON object of options`);
  const obj = json as Record<string, unknown>;
  const isRun = typeof obj.options === 'object' && obj.options !== null && typeof obj.command === 'string';
  if (isRun && obj.command !== command) throw new UsageError(`--config: ${file} is the config.json of a \`tfnas ${obj.command}\` run, not of \`tfnas ${command}\``);
  const options = (isRun ? obj.options : obj) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) {
    const flag = key.replace(/_/g, '-');
    if (!specs[flag] || specs[flag].record === false) throw new UsageError(`--config: ${file}: "${key}" is not an option of tfnas ${command}`);
    // config.json records an unset option as null: not given.
    if (value !== null) out[flag] = value;
  }
  return out;
}

const typeOk = (o: OptionSpec, v: unknown): boolean =>
  o.type === 'strings' ? Array.isArray(v) && v.every((x) => typeof x === 'string') : typeof v === o.type && !(o.type === 'number' && Number.isNaN(v));

function describeValue(v: unknown): string {
  return typeof v === 'number' && Number.isNaN(v) ? 'a value that is not a number' : JSON.stringify(v);
}

/**
 * The typed, checked values of a command's options: command line, then `--config`, then the
 * default. A single-valued option given twice, a value of the wrong type, one outside `choices`
 * and one its check refuses are UsageErrors naming the option.
 */
export function readOptions<S extends OptionSpecs>(argv: Record<string, unknown>, specs: S, command: string): Values<S> & { given: Record<string, unknown> } {
  const fromFile = typeof argv.config === 'string' ? readConfigFile(argv.config, specs, command) : {};
  const raw: Record<string, unknown> = {};
  const given: Record<string, unknown> = {};
  for (const [flag, o] of Object.entries(specs)) {
    let v = argv[flag];
    if (Array.isArray(v) && o.type !== 'strings') throw new UsageError(`--${flag}: given ${v.length} times; expected it once`);
    if (v === undefined && flag in fromFile) v = fromFile[flag];
    if (v !== undefined) given[flag] = v;
    if (v === undefined) v = o.default;
    if (v === undefined) {
      if (o.demand) throw new UsageError(`--${flag}: required (${o.describe})`);
      continue;
    }
    if (!typeOk(o, v)) throw new UsageError(`--${flag}: expected ${o.type === 'strings' ? 'a list of strings' : `a ${o.type}`}, got ${describeValue(v)}`);
    const values = Array.isArray(v) ? v : [v];
    if (o.choices && values.some((x) => !o.choices!.includes(x as never))) {
      throw new UsageError(`--${flag}: expected one of ${o.choices.join(', ')}, got ${describeValue(v)}`);
    }
    raw[flag] = v;
  }
  for (const [flag, o] of Object.entries(specs)) {
    if (raw[flag] === undefined || !o.check) continue;
    const expected = o.check(raw[flag] as never, raw);
    if (expected !== null) throw new UsageError(`--${flag}: expected ${expected}, got ${describeValue(raw[flag])}`);
  }
  const out: Record<string, unknown> = { given };
  for (const [flag, v] of Object.entries(raw)) out[camel(flag)] = v;
  return out as Values<S> & { given: Record<string, unknown> };
}

/** The options to record in config.json: every recorded option's value, snake_case keys, null when unset. */
export function recordOptions(values: Record<string, unknown>, specs: OptionSpecs): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [flag, o] of Object.entries(specs)) {
    if (o.record === false) continue;
    out[snake(flag)] = values[camel(flag)] ?? null;
  }
  return out;
}

/**
 * Refuses to resume a run whose recorded options (config.json `options`) differ from this
 * command's in any option that shapes the result, naming the first one.
 */
export function checkResume(runDir: string, saved: Record<string, unknown> | undefined, now: Record<string, unknown>, specs: OptionSpecs): void {
  if (!saved) return;
  for (const [flag, o] of Object.entries(specs)) {
    if (o.record === false || o.shapes === false) continue;
    const key = snake(flag);
    if (!(key in saved)) continue;
    if (JSON.stringify(saved[key]) !== JSON.stringify(now[key])) {
      throw new UsageError(
        `--resume: the run in ${runDir} was started with --${flag} ${JSON.stringify(saved[key])}, this command has ${JSON.stringify(now[key])}; ` +
          'use the same settings (e.g. --config with its config.json) or another --out',
      );
    }
  }
}

/** Options back to argv words (the parsed, checked values: yargs' camelCase aliases are skipped). */
export function toArgv(parsed: Record<string, unknown>, skip: ReadonlySet<string> = new Set()): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(parsed)) {
    if (k === '_' || k === '$0' || /[A-Z]/.test(k) || skip.has(k) || v === undefined) continue;
    if (typeof v === 'boolean') out.push(v ? `--${k}` : `--no-${k}`);
    else if (Array.isArray(v)) v.forEach((x) => out.push(`--${k}=${String(x)}`));
    else out.push(`--${k}=${String(v)}`);
  }
  return out;
}
