/**
 * The two text forms of a genotype, syntax only (validation is in genotype.ts):
 * - the DARTS Python form, as the reference code prints its namedtuple (quark0/darts genotypes.py):
 *   `Genotype(normal=[('sep_conv_3x3', 0), …], normal_concat=[2, 3, 4, 5], reduce=[…], reduce_concat=range(2, 6))`
 * - the NAS-Bench-201 cell string (Dong & Yang, ICLR 2020): `|op~0|+|op~0|op~1|+|op~0|op~1|op~2|`.
 */
import { UsageError } from '../io/errors';
import type { DartsGenotype, GenotypeEdge, Nb201Genotype } from './genotype-types';

type Tok = { kind: 'name' | 'str' | 'int' | 'punct' | 'end'; text: string; pos: number };

const TOKEN = /([A-Za-z_][\w.]*)|'([^'\\\n]*)'|"([^"\\\n]*)"|(-?\d+)|([()[\],=])/y;

function tokenize(src: string): Tok[] {
  const toks: Tok[] = [];
  let pos = 0;
  for (;;) {
    while (pos < src.length && /\s/.test(src[pos])) pos++;
    if (pos >= src.length) {
      toks.push({ kind: 'end', text: 'end of text', pos });
      return toks;
    }
    TOKEN.lastIndex = pos;
    const m = TOKEN.exec(src);
    if (!m) throw syntaxError(src, pos, `unexpected character ${JSON.stringify(src[pos])}`);
    if (m[1] !== undefined) toks.push({ kind: 'name', text: m[1], pos });
    else if (m[2] !== undefined || m[3] !== undefined) toks.push({ kind: 'str', text: (m[2] ?? m[3]) as string, pos });
    else if (m[4] !== undefined) toks.push({ kind: 'int', text: m[4], pos });
    else toks.push({ kind: 'punct', text: m[5], pos });
    pos = TOKEN.lastIndex;
  }
}

function syntaxError(src: string, pos: number, what: string): UsageError {
  const line = src.slice(0, pos).split('\n').length;
  const col = pos - src.lastIndexOf('\n', pos - 1);
  const near = src.slice(Math.max(0, pos - 20), pos + 20).replace(/\s+/g, ' ');
  return new UsageError(`DARTS genotype string, line ${line} column ${col}: ${what} (near "${near}")`);
}

/** A recursive-descent reader over the tokens; each method consumes one construct. */
class Reader {
  private i = 0;
  constructor(private readonly src: string, private readonly toks: Tok[]) {}

  peek(ahead = 0): Tok {
    return this.toks[Math.min(this.i + ahead, this.toks.length - 1)];
  }
  fail(what: string, tok = this.peek()): never {
    throw syntaxError(this.src, tok.pos, `expected ${what}, found ${tok.kind === 'str' ? `'${tok.text}'` : tok.text}`);
  }
  take(text: string): Tok {
    const t = this.peek();
    if (t.text !== text || (t.kind !== 'punct' && t.kind !== 'name')) this.fail(`'${text}'`);
    this.i++;
    return t;
  }
  accept(text: string): boolean {
    const t = this.peek();
    if (t.kind === 'punct' && t.text === text) {
      this.i++;
      return true;
    }
    return false;
  }
  int(): number {
    const t = this.peek();
    if (t.kind !== 'int') this.fail('an integer');
    this.i++;
    return Number(t.text);
  }

  /** `[a, b, …]` or `(a, b, …)` with an optional trailing comma. */
  seq<T>(item: () => T): T[] {
    const close = this.accept('[') ? ']' : this.accept('(') ? ')' : this.fail("'[' or '('");
    const out: T[] = [];
    while (!this.accept(close)) {
      out.push(item());
      if (!this.accept(',')) {
        this.take(close);
        break;
      }
    }
    return out;
  }

  edge(): GenotypeEdge {
    const close = this.accept('(') ? ')' : this.accept('[') ? ']' : this.fail("an edge ('op', input)");
    const op = this.peek();
    if (op.kind !== 'str') this.fail("a quoted op name such as 'sep_conv_3x3'");
    this.i++;
    this.take(',');
    const input = this.int();
    if (!this.accept(close)) this.fail(`'${close}' closing the edge`);
    return [op.text, input];
  }

  /** A concat list: `[2, 3, 4, 5]`, `(2, 3)`, `range(2, 6)` or `range(6)` (Python semantics). */
  concat(): number[] {
    if (this.peek().kind === 'name') {
      this.take('range');
      const args = this.seq(() => this.int());
      if (args.length < 1 || args.length > 2) this.fail('range(start, stop) with one or two arguments');
      const [start, stop] = args.length === 1 ? [0, args[0]] : args;
      // A cell has a handful of nodes; refuse absurd ranges instead of building huge arrays.
      if (stop - start > 64) this.fail(`a small range, not range(${start}, ${stop})`);
      return Array.from({ length: Math.max(0, stop - start) }, (_, k) => start + k);
    }
    return this.seq(() => this.int());
  }

  end(): void {
    if (this.peek().kind !== 'end') this.fail('end of text after the closing parenthesis');
  }
}

const FIELDS = ['normal', 'normal_concat', 'reduce', 'reduce_concat'] as const;
type Field = (typeof FIELDS)[number];

/** The fields between `Genotype(` and `)`: keyword or positional, as a namedtuple call takes them. */
function readFields(r: Reader): Partial<Record<Field, unknown>> {
  const got: Partial<Record<Field, unknown>> = {};
  let positional = 0;
  while (!r.accept(')')) {
    const t = r.peek();
    let field: Field | undefined;
    if (t.kind === 'name' && t.text !== 'range') {
      field = FIELDS.find((f) => f === t.text) ?? r.fail(`one of the fields ${FIELDS.join(', ')}`);
      r.take(t.text);
      r.take('=');
    } else {
      if (Object.keys(got).length > positional) r.fail('a keyword field (positional fields cannot follow keyword ones)');
      field = FIELDS[positional++] ?? r.fail("')': a Genotype has four fields");
    }
    if (got[field] !== undefined) r.fail(`each field once, but ${field} is repeated`, t);
    got[field] = field.endsWith('concat') ? r.concat() : r.seq(() => r.edge());
    if (!r.accept(',')) {
      r.take(')');
      break;
    }
  }
  return got;
}

/**
 * Reads the DARTS Python form. Accepts keyword or positional fields (namedtuple semantics), tuples
 * or lists, either quote style, any whitespace, `range(…)` concats, an optional module prefix
 * (`genotypes.Genotype(`) and an optional `NAME = ` assignment, as copied from a genotypes.py.
 */
export function parseDartsSyntax(src: string): DartsGenotype {
  const r = new Reader(src, tokenize(src));
  let head = r.peek();
  if (head.kind === 'name' && r.peek(1).text === '=') {
    r.take(head.text);
    r.take('=');
    head = r.peek();
  }
  if (head.kind !== 'name' || !/(^|\.)Genotype$/.test(head.text)) r.fail("'Genotype('");
  r.take(head.text);
  r.take('(');
  const got = readFields(r);
  r.end();
  const missing = FIELDS.filter((f) => got[f] === undefined);
  if (missing.length) throw new UsageError(`DARTS genotype string: missing field${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`);
  return got as DartsGenotype;
}

/** Prints the DARTS Python form exactly as the reference code's namedtuple repr does. */
export function formatDartsString(g: DartsGenotype): string {
  const edges = (es: GenotypeEdge[]) => `[${es.map(([op, j]) => `('${op}', ${j})`).join(', ')}]`;
  const ints = (xs: number[]) => `[${xs.join(', ')}]`;
  return (
    `Genotype(normal=${edges(g.normal)}, normal_concat=${ints(g.normal_concat)}, ` +
    `reduce=${edges(g.reduce)}, reduce_concat=${ints(g.reduce_concat)})`
  );
}

/**
 * Reads the NAS-Bench-201 string into per-node lists of [op, input], as the benchmark's
 * `Structure.str2structure` does (nodes separated by `+`, `op~j` inside node i = edge j→i).
 */
export function parseNb201Syntax(src: string): GenotypeEdge[][] {
  const text = src.trim();
  if (!text.startsWith('|') || !text.endsWith('|')) {
    throw new UsageError(`NAS-Bench-201 string must start and end with '|' (e.g. |nor_conv_3x3~0|+|…|), got ${JSON.stringify(src)}`);
  }
  return text.split('+').map((node, i) => {
    const parts = node.trim().split('|').filter((p) => p.trim() !== '');
    if (!parts.length) throw new UsageError(`NAS-Bench-201 string: node ${i + 1} has no edges`);
    return parts.map((p) => {
      const m = /^\s*([A-Za-z_]\w*)~(\d+)\s*$/.exec(p);
      if (!m) throw new UsageError(`NAS-Bench-201 string: node ${i + 1} entry ${JSON.stringify(p)} is not of the form op~input`);
      return [m[1], Number(m[2])] as GenotypeEdge;
    });
  });
}

/** Prints the NAS-Bench-201 string (`Structure.tostr`) from ops in edge order (1←0), (2←0), (2←1), … */
export function formatNb201String(g: Nb201Genotype, nodes: number): string {
  const parts: string[] = [];
  let e = 0;
  for (let i = 1; i < nodes; i++) {
    const inner: string[] = [];
    for (let j = 0; j < i; j++) inner.push(`${g.ops[e++]}~${j}`);
    parts.push(`|${inner.join('|')}|`);
  }
  return parts.join('+');
}
