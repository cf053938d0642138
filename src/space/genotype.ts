/**
 * Genotypes as data: validation (with messages naming the wrong entry), the canonical JSON form,
 * the DARTS Python form and the NAS-Bench-201 string, and `resolveGenotype` behind `--genotype`.
 * Pure: no tensors.
 */
import * as fs from 'fs';
import * as path from 'path';
import { UsageError } from '../io/errors';
import { BUILTIN_GENOTYPE_NAMES, builtinGenotype, builtinGenotypeName } from './builtin-genotypes';
import { formatDartsString, formatNb201String, parseDartsSyntax, parseNb201Syntax } from './genotype-text';
import type { DartsGenotype, GenotypeEdge, Nb101Genotype, Nb201Genotype } from './genotype-types';
import { nb101Check, nb101Shape } from './nb101-spec';
import { DARTS_PRIMITIVES, DARTS_STEPS, NB201_EDGES, NB201_NODES, NB201_PRIMITIVES } from './primitives';

export type { DartsGenotype, GenotypeEdge, Nb101Genotype, Nb201Genotype } from './genotype-types';

/** The search spaces' names, declared once, by the registry (space/spaces.ts). */
export type { SpaceName } from './spaces';

/** A genotype tagged with its search space. */
export type AnyGenotype =
  | { space: 'darts'; genotype: DartsGenotype }
  | { space: 'nb201'; genotype: Nb201Genotype }
  | { space: 'nb101'; genotype: Nb101Genotype };

/** Checks a NAS-Bench-101 cell against the official rules (nb101-spec.ts) and returns it as given (unpruned). */
export function validateNb101Genotype(g: unknown): Nb101Genotype {
  nb101Check(g);
  return nb101Shape(g);
}

/** The ops a derived DARTS cell may use: the search candidates without `none` (the zero op is never derived). */
export const DARTS_CELL_OPS: readonly string[] = DARTS_PRIMITIVES.filter((op) => op !== 'none');

export interface DartsValidationOptions {
  /** Intermediate nodes per cell (default 4, as in DARTS). */
  steps?: number;
  /** Allowed op names (default: DARTS_PRIMITIVES without `none`). */
  ops?: readonly string[];
}

const show = (x: unknown) => JSON.stringify(x) ?? String(x);

function checkCell(g: Record<string, unknown>, kind: 'normal' | 'reduce', steps: number, ops: readonly string[]): void {
  const edges = g[kind];
  if (!Array.isArray(edges)) throw new UsageError(`genotype: ${kind} must be a list of [op, input] edges, got ${show(edges)}`);
  if (edges.length !== 2 * steps) {
    throw new UsageError(
      `genotype: ${kind} has ${edges.length} edges; a cell with ${steps} intermediate nodes needs ${2 * steps} (two per node)`,
    );
  }
  edges.forEach((e: unknown, k) => {
    const where = `genotype: ${kind}[${k}] ${show(e)}`;
    if (!Array.isArray(e) || e.length !== 2 || typeof e[0] !== 'string') throw new UsageError(`${where}: expected an edge [op, input]`);
    const [op, input] = e as [string, unknown];
    if (!ops.includes(op)) throw new UsageError(`${where}: unknown op '${op}'; expected one of ${ops.join(', ')}`);
    const node = Math.floor(k / 2);
    if (typeof input !== 'number' || !Number.isInteger(input) || input < 0 || input > node + 1) {
      throw new UsageError(
        `${where}: input ${show(input)} is out of range for intermediate node ${node} (state ${node + 2}), ` +
          `which can take inputs 0..${node + 1} (0, 1 = the two previous cells)`,
      );
    }
  });
  const concatKey = `${kind}_concat`;
  const concat = g[concatKey];
  if (!Array.isArray(concat) || concat.length === 0) {
    throw new UsageError(`genotype: ${concatKey} must be a non-empty list of node indices, got ${show(concat)}`);
  }
  concat.forEach((c: unknown, k) => {
    if (typeof c !== 'number' || !Number.isInteger(c) || c < 2 || c > steps + 1) {
      throw new UsageError(`genotype: ${concatKey}[${k}] = ${show(c)} is not an intermediate node; expected 2..${steps + 1}`);
    }
    if (concat.indexOf(c) !== k) throw new UsageError(`genotype: ${concatKey}[${k}] = ${c} is repeated`);
  });
}

/**
 * Checks that `g` is a buildable DARTS genotype and returns it as a clean DartsGenotype (extra keys
 * dropped). Throws a UsageError naming the wrong entry: unknown op, input index out of range for
 * its node, wrong number of edges, bad concat.
 */
export function validateDartsGenotype(g: unknown, opts: DartsValidationOptions = {}): DartsGenotype {
  const steps = opts.steps ?? DARTS_STEPS;
  const ops = opts.ops ?? DARTS_CELL_OPS;
  if (typeof g !== 'object' || g === null || Array.isArray(g)) {
    throw new UsageError(`genotype: expected an object with normal, normal_concat, reduce, reduce_concat, got ${show(g)}`);
  }
  const rec = g as Record<string, unknown>;
  checkCell(rec, 'normal', steps, ops);
  checkCell(rec, 'reduce', steps, ops);
  const edges = (es: unknown) => (es as GenotypeEdge[]).map(([op, j]) => [op, j] as GenotypeEdge);
  return {
    normal: edges(rec.normal),
    normal_concat: [...(rec.normal_concat as number[])],
    reduce: edges(rec.reduce),
    reduce_concat: [...(rec.reduce_concat as number[])],
  };
}

/** The input node of NB201 edge e, in the order (1←0), (2←0), (2←1), (3←0), (3←1), (3←2). */
export function nb201EdgeEnds(e: number): { from: number; to: number } {
  let k = e;
  for (let to = 1; ; to++) {
    if (k < to) return { from: k, to };
    k -= to;
  }
}

/** Checks an NB201 genotype (six ops from NB201_PRIMITIVES, `none` included) and returns a clean copy. */
export function validateNb201Genotype(g: unknown): Nb201Genotype {
  const ops = (g as { ops?: unknown } | null)?.ops;
  if (!Array.isArray(ops)) throw new UsageError(`genotype: expected an NB201 cell {"ops": [six op names]}, got ${show(g)}`);
  if (ops.length !== NB201_EDGES) {
    throw new UsageError(`genotype: an NB201 cell has ${NB201_EDGES} edges, got ${ops.length} ops`);
  }
  ops.forEach((op: unknown, e) => {
    if (typeof op !== 'string' || !(NB201_PRIMITIVES as readonly string[]).includes(op)) {
      const { from, to } = nb201EdgeEnds(e);
      throw new UsageError(`genotype: ops[${e}] (edge ${from}→${to}): unknown op ${show(op)}; expected one of ${NB201_PRIMITIVES.join(', ')}`);
    }
  });
  return { ops: [...(ops as string[])] };
}

/** Parses and validates the DARTS Python form. */
export function parseDartsString(text: string, opts?: DartsValidationOptions): DartsGenotype {
  return validateDartsGenotype(parseDartsSyntax(text), opts);
}

/** Prints the DARTS Python form (the reference namedtuple's repr). */
export function formatDartsGenotype(g: DartsGenotype): string {
  return formatDartsString(g);
}

/** Parses and validates an NB201 string: node i must list each input 0..i-1 exactly once. */
export function parseNb201String(text: string): Nb201Genotype {
  const nodes = parseNb201Syntax(text);
  if (nodes.length !== NB201_NODES - 1) {
    throw new UsageError(`NAS-Bench-201 string: expected ${NB201_NODES - 1} nodes separated by '+', got ${nodes.length}`);
  }
  const ops: string[] = [];
  nodes.forEach((edges, n) => {
    const to = n + 1;
    const byInput = new Map<number, string>();
    for (const [op, j] of edges) {
      if (j >= to) throw new UsageError(`NAS-Bench-201 string: node ${to} entry ${op}~${j}: input ${j} is out of range (node ${to} takes inputs 0..${to - 1})`);
      if (byInput.has(j)) throw new UsageError(`NAS-Bench-201 string: node ${to} lists input ${j} twice`);
      byInput.set(j, op);
    }
    if (byInput.size !== to) throw new UsageError(`NAS-Bench-201 string: node ${to} needs ${to} edges (inputs 0..${to - 1}), got ${edges.length}`);
    for (let j = 0; j < to; j++) ops.push(byInput.get(j) as string);
  });
  return validateNb201Genotype({ ops });
}

/** Prints the NAS-Bench-201 string. */
export function formatNb201Genotype(g: Nb201Genotype): string {
  return formatNb201String(g, NB201_NODES);
}

/**
 * The canonical JSON text: the DartsGenotype / Nb201Genotype object with keys in a fixed order,
 * one edge per line. `JSON.parse` of it gives back the object.
 */
export function genotypeToJson(g: DartsGenotype | Nb201Genotype | Nb101Genotype): string {
  if ('matrix' in g) return `{\n  "matrix": [\n${g.matrix.map((r) => `    [${r.join(', ')}]`).join(',\n')}\n  ],\n  "ops": [${g.ops.map((o) => JSON.stringify(o)).join(', ')}]\n}\n`;
  if ('ops' in g) return `{\n  "ops": [${g.ops.map((o) => JSON.stringify(o)).join(', ')}]\n}\n`;
  const edges = (es: GenotypeEdge[]) => `[\n${es.map(([op, j]) => `    [${JSON.stringify(op)}, ${j}]`).join(',\n')}\n  ]`;
  return (
    `{\n  "normal": ${edges(g.normal)},\n  "normal_concat": [${g.normal_concat.join(', ')}],\n` +
    `  "reduce": ${edges(g.reduce)},\n  "reduce_concat": [${g.reduce_concat.join(', ')}]\n}\n`
  );
}

/**
 * Reads a genotype from parsed JSON: the canonical DARTS object, an NB201 `{ops}` object, a string
 * in either text form, or any of these under a `genotype` key (as in a run folder's genotype.json
 * or a `--json` summary).
 */
export function genotypeFromJson(value: unknown, opts?: DartsValidationOptions): AnyGenotype {
  if (typeof value === 'string') return parseGenotypeText(value, opts);
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const rec = value as Record<string, unknown>;
    if ('normal' in rec || 'reduce' in rec) return { space: 'darts', genotype: validateDartsGenotype(rec, opts) };
    if ('matrix' in rec) return { space: 'nb101', genotype: validateNb101Genotype(rec) };
    if ('ops' in rec) return { space: 'nb201', genotype: validateNb201Genotype(rec) };
    if ('genotype' in rec) return genotypeFromJson(rec.genotype, opts);
  }
  throw new UsageError(
    `genotype JSON: expected {"normal": [...], "normal_concat": [...], "reduce": [...], "reduce_concat": [...]}, ` +
      `an NB201 {"ops": [...]}, a NAS-Bench-101 {"matrix": [[...]], "ops": [...]}, or one of them under "genotype"; got ${show(value).slice(0, 120)}`,
  );
}

/** Parses either text form, recognised by its shape (`Genotype(` or a leading `|`). */
export function parseGenotypeText(text: string, opts?: DartsValidationOptions): AnyGenotype {
  const t = text.trim();
  if (t.startsWith('|')) return { space: 'nb201', genotype: parseNb201String(t) };
  if (/Genotype\s*\(/.test(t)) return { space: 'darts', genotype: parseDartsString(t, opts) };
  throw new UsageError(`not a genotype string: expected Genotype(normal=[...], ...) or |op~0|+|op~0|op~1|+...; got ${show(t.slice(0, 80))}`);
}

export interface ResolveOptions extends DartsValidationOptions {
  /** Accept NB201 cells (only commands that work in the nb201 space do). Default false. */
  allowNb201?: boolean;
  /** Accept NAS-Bench-101 cells (export). Default false. */
  allowNb101?: boolean;
  /** The option name used in messages (default `genotype`). */
  argName?: string;
}

/** A genotype given inline as JSON text (e.g. `{"matrix": [[0, 1], [0, 0]], "ops": ["input", "output"]}`). */
export function parseInlineJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UsageError(`not valid JSON: ${(e as Error).message}`);
  }
}

/** A resolved `--genotype` argument, with where it came from (for logs and config.json). */
export type ResolvedGenotype = AnyGenotype & { source: string };

function fromPath(p: string, opts: ResolveOptions): AnyGenotype & { source: string } {
  let file = p;
  if (fs.statSync(p).isDirectory()) {
    // DARTS runs write genotype.json; black-box runs write best.json, whose "genotype" is the best cell.
    const found = ['genotype.json', 'best.json'].map((f) => path.join(p, f)).find((f) => fs.existsSync(f));
    if (!found) throw new UsageError(`folder ${p} has no genotype.json or best.json: is it a run folder of tfnas search?`);
    file = found;
  }
  let text: string;
  try {
    // A byte-order mark (Windows editors write one) is not part of the content.
    text = fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${(e as Error).message}`);
  }
  if (text.trim() === '') throw new UsageError(`${file} is empty; expected a genotype (JSON or a genotype string)`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    // JSON that does not parse (truncated, a stray comma) is reported as such, not as a bad string.
    if (/^\s*[{[]/.test(text)) throw new UsageError(`${file} is not valid JSON: ${(e as Error).message}`);
    // Not JSON: a file holding one of the text forms (e.g. a line copied from genotypes.py).
    return { ...parseGenotypeText(text, opts), source: `file ${file}` };
  }
  return { ...genotypeFromJson(json, opts), source: `file ${file}` };
}

/**
 * Resolves a `--genotype` argument: a built-in name (DARTS_V2, …), a run folder of `tfnas search`
 * (its genotype.json), a JSON file (or a file holding a text form), a DARTS string, or, when
 * `allowNb201`, an NB201 string. Throws a UsageError naming the option when nothing matches or the
 * genotype is invalid.
 */
export function resolveGenotype(arg: string, opts?: ResolveOptions & { allowNb201?: false }): ResolvedGenotype & { space: 'darts' };
export function resolveGenotype(arg: string, opts: ResolveOptions): ResolvedGenotype;
export function resolveGenotype(arg: string, opts: ResolveOptions = {}): ResolvedGenotype {
  const name = opts.argName ?? 'genotype';
  // yargs turns a repeated option into an array.
  if (typeof arg !== 'string') throw new UsageError(`--${name}: expected one genotype, got ${show(arg)}`);
  const t = arg.trim();
  let found: ResolvedGenotype;
  try {
    const builtin = builtinGenotypeName(t);
    if (builtin) found = { space: 'darts', genotype: builtinGenotype(builtin) as DartsGenotype, source: `built-in ${builtin}` };
    else if (t.startsWith('|') || /Genotype\s*\(/.test(t)) found = { ...parseGenotypeText(t, opts), source: 'string' };
    else if (t.startsWith('{')) found = { ...genotypeFromJson(parseInlineJson(t), opts), source: 'string' };
    else if (t !== '' && fs.existsSync(t)) found = fromPath(t, opts);
    else if (/[\\/]|\.(json|txt|py)$/i.test(t)) throw new UsageError(`no such file or folder: ${t}`);
    else {
      throw new UsageError(
        `${show(arg)} is not a built-in genotype (${BUILTIN_GENOTYPE_NAMES.join(', ')}), an existing file or ` +
          `run folder, or a genotype string (Genotype(normal=[...], ...)${opts.allowNb201 ? ' or |op~0|+|op~0|op~1|+...' : ''})`,
      );
    }
  } catch (e) {
    if (e instanceof UsageError) throw new UsageError(`--${name}: ${e.message}`);
    throw e;
  }
  if (found.space === 'nb101' && !opts.allowNb101) {
    throw new UsageError(`--${name}: ${found.source} is a NAS-Bench-101 cell, but this command needs a ${opts.allowNb201 ? 'DARTS-space or NAS-Bench-201' : 'DARTS-space'} genotype`);
  }
  if (found.space === 'nb201' && !opts.allowNb201) {
    throw new UsageError(`--${name}: ${found.source} is a NAS-Bench-201 cell, but this command needs a DARTS-space genotype`);
  }
  return found;
}
