/**
 * What a queued job may ask a worker to do, checked before anything runs. A job is data, never
 * code: a whitelisted tfnas command and its options, parsed with that command's own yargs option
 * spec in strict mode (an unknown or malformed option rejects the job), and every path it names
 * resolved inside the worker's folders: data (`--table`, `--data-dir`) inside its data folder, run
 * folders (`--out`, `--supernet`, a `--genotype` run folder or file) inside its work folder, symbolic
 * links followed. A rejected job fails at once, without retries (see worker.ts).
 */
import * as fs from 'fs';
import * as path from 'path';
import yargs, { type Argv, type CommandModule } from 'yargs';
import { UsageError } from '../io/errors';
import { toArgv } from '../cli/options';
import { benchNb201Command } from '../cli/bench-nb201';
import { searchCommand } from '../cli/search';
import { trainCommand } from '../cli/train-command';

export interface WorkerRoots {
  /** Data the jobs may read: tables, image datasets. */
  dataDir: string;
  /** Where run folders are written (and read back: supernet runs, genotype files). */
  workDir: string;
}

/** A candidate evaluation of a queued black-box search: `argv` are `tfnas search` options. */
export interface TrialJob {
  kind: 'trial';
  argv: string[];
  /** The coordinator's ask number (1-based): names per-candidate folders, as the query does in-process. */
  ask: number;
  key: string;
}

/** Asks a worker to build a search's evaluator and report its name and description. */
export interface ProbeJob {
  kind: 'probe';
  argv: string[];
}

/** A whole tfnas command (`search …`, `train …`, `bench nb201 …`). */
export interface RunJob {
  kind: 'run';
  argv: string[];
}

export type JobData = TrialJob | ProbeJob | RunJob;

type PathRoot = 'data' | 'work';

interface CommandSpec {
  /** The words that name it on the command line. */
  words: string[];
  module: () => CommandModule;
  /** Options holding paths, and the worker folder each must stay inside. */
  paths: Record<string, PathRoot>;
  /** Whether `--resume` continues a run folder (a job re-run after a worker died passes it). */
  resumable: boolean;
}

/** The commands a run job may name; `data` (network downloads), `export`, `queue`, `worker` are not among them. */
export const RUN_COMMANDS: Record<string, CommandSpec> = {
  search: {
    words: ['search'],
    module: () => searchCommand as CommandModule,
    paths: { out: 'work', supernet: 'work', 'data-dir': 'data', table: 'data' },
    resumable: true,
  },
  train: {
    words: ['train'],
    module: () => trainCommand as unknown as CommandModule,
    paths: { out: 'work', genotype: 'work', 'data-dir': 'data' },
    resumable: true,
  },
  'bench nb201': {
    words: ['bench', 'nb201'],
    module: () => benchNb201Command as unknown as CommandModule,
    paths: { out: 'work', table: 'data' },
    resumable: false,
  },
};

const MAX_TOKENS = 400;
const MAX_TOKEN_CHARS = 4096;
/** Options a job may not set: the worker's own, and ones that print instead of running. */
const FORBIDDEN = new Set(['queue', 'help', 'version', 'h']);

/** The command spec a run job's argv names (`bench nb201` takes two words). */
export function commandOf(argv: string[]): { name: string; spec: CommandSpec; rest: string[] } {
  for (const [name, spec] of Object.entries(RUN_COMMANDS)) {
    if (spec.words.every((w, i) => argv[i] === w)) return { name, spec, rest: argv.slice(spec.words.length) };
  }
  throw new UsageError(`job: the command must be one of ${Object.keys(RUN_COMMANDS).map((c) => `"${c}"`).join(', ')}, got ${JSON.stringify(argv.slice(0, 2).join(' '))}`);
}

function checkTokens(argv: unknown): string[] {
  if (!Array.isArray(argv) || argv.some((t) => typeof t !== 'string')) throw new UsageError('job: argv must be an array of strings');
  if (argv.length > MAX_TOKENS) throw new UsageError(`job: argv has ${argv.length} words; at most ${MAX_TOKENS}`);
  for (const t of argv as string[]) {
    if (t.length > MAX_TOKEN_CHARS || t.includes('\0')) throw new UsageError(`job: an argument is longer than ${MAX_TOKEN_CHARS} characters or holds a NUL byte`);
  }
  return argv as string[];
}

/** Parses `rest` with the command's own option spec, strict; errors become UsageErrors naming the option. */
export function parseWithSpec(spec: CommandSpec, rest: string[]): Record<string, unknown> {
  const flag = rest.find((t) => FORBIDDEN.has(t.replace(/^-+/, '').replace(/=.*$/, '')) && t.startsWith('-'));
  if (flag) throw new UsageError(`job: ${flag.replace(/=.*$/, '')} cannot be part of a job`);
  const builder = spec.module().builder as (y: Argv) => Argv;
  const y = builder(
    yargs(rest)
      .strict()
      .exitProcess(false)
      .help(false)
      .version(false)
      .fail((msg, err) => {
        throw new UsageError(`job: ${err?.message ?? msg}`);
      }),
  );
  const parsed = y.parseSync() as Record<string, unknown>;
  if ((parsed._ as unknown[]).length > 0) throw new UsageError(`job: unexpected words ${JSON.stringify(parsed._)}`);
  return parsed;
}

/** Whether `child` is `root` or inside it. */
function inside(root: string, child: string): boolean {
  const rel = path.relative(root, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** The real path of `p`, following symbolic links in the part that exists. */
function realish(p: string): string {
  let head = p;
  const tail: string[] = [];
  while (!fs.existsSync(head)) {
    const up = path.dirname(head);
    if (up === head) break;
    tail.unshift(path.basename(head));
    head = up;
  }
  return path.join(fs.realpathSync(head), ...tail);
}

/** Resolves a path option inside its root; a path that leaves it (`..`, absolute, a link) rejects the job. */
export function resolveInside(option: string, value: string, rootName: PathRoot, roots: WorkerRoots): string {
  const root = realish(path.resolve(rootName === 'data' ? roots.dataDir : roots.workDir));
  const abs = realish(path.resolve(root, value));
  if (!inside(root, abs)) {
    throw new UsageError(`job: --${option} ${JSON.stringify(value)} is outside the worker's ${rootName === 'data' ? 'data' : 'work'} folder ${root}`);
  }
  return abs;
}

/** `--genotype` names a path when it is not a built-in name or an inline genotype. */
function isPathLike(option: string, v: string): boolean {
  if (option === 'genotype') return /[/\\]/.test(v) || /\.json$/i.test(v);
  return true;
}

export interface CheckedCommand {
  name: string;
  spec: CommandSpec;
  /** The options as parsed, paths made absolute inside the worker's folders. */
  options: Record<string, unknown>;
  /** argv words to run: the command words, then the checked options. */
  argv: string[];
}

/**
 * Validates a command for a worker: the spec's strict parse, then every path option inside its
 * folder; string options that are not paths must not look like one.
 */
export function checkCommand(argvIn: unknown, roots: WorkerRoots): CheckedCommand {
  const argv = checkTokens(argvIn);
  const { name, spec, rest } = commandOf(argv);
  const options = parseWithSpec(spec, rest);
  for (const [k, v] of Object.entries(options)) {
    if (typeof v === 'number' && Number.isNaN(v)) throw new UsageError(`job: --${k}: expected a number`);
    if (k === '_' || k === '$0' || /[A-Z]/.test(k) || typeof v !== 'string') continue;
    const root = spec.paths[k];
    if (root && isPathLike(k, v)) options[k] = resolveInside(k, v, root, roots);
    else if (!root && /^[~./\\]|[/\\]/.test(v)) throw new UsageError(`job: --${k} ${JSON.stringify(v)} looks like a path, but --${k} is not a path option`);
  }
  return { name, spec, options, argv: [...spec.words, ...toArgv(options)] };
}

/** Validates the shape of a job's data (before the command check). */
export function checkJobData(data: unknown): JobData {
  const d = data as Partial<JobData> & Record<string, unknown>;
  if (!d || typeof d !== 'object') throw new UsageError('job: data must be an object');
  if (d.kind === 'trial') {
    if (!Number.isInteger(d.ask) || (d.ask as number) < 1) throw new UsageError('job: a trial needs a positive integer ask number');
    if (typeof d.key !== 'string' || d.key.length > MAX_TOKEN_CHARS) throw new UsageError('job: a trial needs an architecture key');
    return { kind: 'trial', argv: checkTokens(d.argv), ask: d.ask as number, key: d.key };
  }
  if (d.kind === 'probe') return { kind: 'probe', argv: checkTokens(d.argv) };
  if (d.kind === 'run') return { kind: 'run', argv: checkTokens(d.argv) };
  throw new UsageError(`job: kind must be trial, probe or run, got ${JSON.stringify(d.kind)}`);
}
