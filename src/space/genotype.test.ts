import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { UsageError } from '../io/errors';
import { BUILTIN_GENOTYPE_NAMES, builtinGenotype } from './builtin-genotypes';
import {
  formatDartsGenotype,
  formatNb201Genotype,
  genotypeFromJson,
  genotypeToJson,
  parseDartsString,
  parseNb201String,
  resolveGenotype,
  validateDartsGenotype,
  validateNb201Genotype,
} from './genotype';
import type { DartsGenotype } from './genotype-types';
import { NB201_PRIMITIVES } from './primitives';
import { itWithShared, sharedPath } from '../data/test-utils/shared';

const V2 = () => builtinGenotype('DARTS_V2') as DartsGenotype;
const NB = '|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|';

/** Expects a UsageError whose message contains every fragment. */
function rejects(f: () => unknown, ...fragments: string[]): void {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(UsageError);
  for (const s of fragments) expect((err as Error).message).toContain(s);
}

describe('round trips', () => {
  it.each(BUILTIN_GENOTYPE_NAMES)('%s through JSON and the DARTS string', (name) => {
    const g = builtinGenotype(name) as DartsGenotype;
    expect(genotypeFromJson(JSON.parse(genotypeToJson(g)))).toEqual({ space: 'darts', genotype: g });
    expect(parseDartsString(formatDartsGenotype(g))).toEqual(g);
  });

  it('prints the DARTS form exactly as the reference repr', () => {
    expect(formatDartsGenotype(V2())).toBe(
      "Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 1), ('skip_connect', 0), ('skip_connect', 0), ('dil_conv_3x3', 2)], normal_concat=[2, 3, 4, 5], reduce=[('max_pool_3x3', 0), ('max_pool_3x3', 1), ('skip_connect', 2), ('max_pool_3x3', 1), ('max_pool_3x3', 0), ('skip_connect', 2), ('skip_connect', 2), ('max_pool_3x3', 1)], reduce_concat=[2, 3, 4, 5])",
    );
  });

  it('all 5^6 NB201 cells through the string and JSON', () => {
    const P = NB201_PRIMITIVES;
    const bad: string[] = [];
    for (let code = 0; code < 5 ** 6; code++) {
      const ops = Array.from({ length: 6 }, (_, e) => P[Math.floor(code / 5 ** e) % 5]);
      const s = formatNb201Genotype({ ops });
      if (parseNb201String(s).ops.join() !== ops.join()) bad.push(s);
      if (code % 997 === 0) expect(genotypeFromJson(JSON.parse(genotypeToJson({ ops })))).toEqual({ space: 'nb201', genotype: { ops } });
    }
    expect(bad).toEqual([]);
    expect(formatNb201Genotype(parseNb201String(NB))).toBe(NB);
  });

  const csv = sharedPath('nb201/nb201.csv');
  itWithShared('nb201/nb201.csv', 'the NAS-Bench-201 table round trip')('every arch string of the NAS-Bench-201 table (skipped without ../shared/data/nb201)', () => {
    const lines = fs.readFileSync(csv, 'utf8').trim().split('\n').slice(1);
    expect(lines).toHaveLength(15625);
    const archs = lines.map((line) => line.split(',')[1]);
    expect(archs.filter((arch) => formatNb201Genotype(parseNb201String(arch)) !== arch)).toEqual([]);
  });
});

describe('DARTS string variants', () => {
  it('reads range(), double quotes, lists, newlines, trailing commas, positional fields and NAME =', () => {
    const g = V2();
    const multi = `genotypes.Genotype(
      normal = [
        ["sep_conv_3x3", 0], ("sep_conv_3x3",1), ('sep_conv_3x3', 0), ('sep_conv_3x3', 1),
        ('sep_conv_3x3', 1), ('skip_connect', 0), ('skip_connect', 0), ('dil_conv_3x3', 2),
      ],
      normal_concat = range(2, 6),
      reduce = [('max_pool_3x3', 0), ('max_pool_3x3', 1), ('skip_connect', 2), ('max_pool_3x3', 1),
                ('max_pool_3x3', 0), ('skip_connect', 2), ('skip_connect', 2), ('max_pool_3x3', 1)],
      reduce_concat = (2, 3, 4, 5),
    )`;
    expect(parseDartsString(multi)).toEqual(g);
    const pos = `MY_CELL = Genotype(${JSON.stringify(g.normal)}, range(2, 6), ${JSON.stringify(g.reduce)}, reduce_concat=[2, 3, 4, 5])`;
    expect(parseDartsString(pos)).toEqual(g);
  });

  it('reports syntax errors with line and column', () => {
    rejects(() => parseDartsString("Genotype(normal=[('sep_conv_3x3', 0))"), 'line 1 column 37', "expected ']', found )");
    rejects(() => parseDartsString("Genotype(normal=[('sep_conv_3x3', 0)}"), 'line 1 column 37', 'unexpected character "}"');
    rejects(() => parseDartsString("Genotype(\n  normal=[('sep_conv_3x3', x)])"), 'line 2', 'expected an integer');
    rejects(() => parseDartsString('Genotype(normal=[], normal_concat=[2])'), 'missing fields reduce, reduce_concat');
    rejects(() => parseDartsString('Genotype(normal=[], normal=[])'), 'normal is repeated');
    rejects(() => parseDartsString('Genotype(normal=[], colour=[])'), 'expected one of the fields');
    rejects(() => parseDartsString('Genotype(normal=[], normal_concat=[], reduce=[], reduce_concat=[]) extra'), 'end of text');
    rejects(() => parseDartsString('Genotype([], [2], [], [2], [])'), 'four fields');
    rejects(() => parseDartsString('Genotype(normal=[], [2])'), 'positional fields cannot follow keyword ones');
    rejects(() => parseDartsString('Network(normal=[])'), "expected 'Genotype('");
  });
});

describe('validation names the wrong entry', () => {
  it('unknown op', () => {
    const g = V2();
    g.normal[3] = ['conv_9x9', 1];
    rejects(() => validateDartsGenotype(g), 'normal[3]', "unknown op 'conv_9x9'", 'sep_conv_3x3');
    g.normal[3] = ['none', 1];
    rejects(() => validateDartsGenotype(g), 'normal[3]', "unknown op 'none'");
  });

  it('input out of range for its node', () => {
    const g = V2();
    g.reduce[4] = ['max_pool_3x3', 4];
    rejects(() => validateDartsGenotype(g), 'reduce[4]', 'input 4 is out of range for intermediate node 2', 'inputs 0..3');
    g.reduce[4] = ['max_pool_3x3', -1];
    rejects(() => validateDartsGenotype(g), 'reduce[4]', 'input -1');
    g.reduce[4] = ['max_pool_3x3', 1.5];
    rejects(() => validateDartsGenotype(g), 'input 1.5');
  });

  it('wrong number of edges', () => {
    const g = V2();
    g.normal.pop();
    rejects(() => validateDartsGenotype(g), 'normal has 7 edges', 'needs 8');
    expect(validateDartsGenotype({ ...V2(), normal: V2().normal.slice(0, 4), reduce: V2().reduce.slice(0, 4), normal_concat: [2, 3], reduce_concat: [3] }, { steps: 2 }).normal).toHaveLength(4);
  });

  it('malformed edges and bad concat', () => {
    rejects(() => validateDartsGenotype({ ...V2(), normal: [...V2().normal.slice(0, 7), ['skip_connect']] }), 'normal[7]', 'expected an edge [op, input]');
    rejects(() => validateDartsGenotype({ ...V2(), normal_concat: [2, 3, 6] }), 'normal_concat[2] = 6', 'expected 2..5');
    rejects(() => validateDartsGenotype({ ...V2(), reduce_concat: [2, 3, 3] }), 'reduce_concat[2] = 3 is repeated');
    rejects(() => validateDartsGenotype({ ...V2(), reduce_concat: [] }), 'reduce_concat must be a non-empty list');
    rejects(() => validateDartsGenotype({ ...V2(), normal_concat: [1, 2] }), 'normal_concat[0] = 1');
    rejects(() => validateDartsGenotype([1, 2]), 'expected an object');
  });

  it('NB201 cells and strings', () => {
    rejects(() => validateNb201Genotype({ ops: ['none', 'skip_connect', 'nor_conv_1x1', 'conv', 'none', 'none'] }), 'ops[3] (edge 0→3)', 'unknown op "conv"');
    rejects(() => validateNb201Genotype({ ops: ['none'] }), '6 edges, got 1');
    rejects(() => parseNb201String('|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|'), 'expected 3 nodes');
    rejects(() => parseNb201String('|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~2|+|skip_connect~0|none~1|none~2|'), 'node 2 entry avg_pool_3x3~2', 'out of range');
    rejects(() => parseNb201String('|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~0|+|skip_connect~0|none~1|none~2|'), 'node 2 lists input 0 twice');
    rejects(() => parseNb201String('|nor_conv_3x3~0|+|nor_conv_3x3~0|+|skip_connect~0|none~1|none~2|'), 'node 2 needs 2 edges');
    rejects(() => parseNb201String('|nor_conv_3x3-0|+|a~0|b~1|+|c~0|d~1|e~2|'), 'not of the form op~input');
    rejects(() => parseNb201String('nor_conv_3x3~0'), "start and end with '|'");
    rejects(() => parseNb201String(NB.replace('avg_pool_3x3', 'max_pool_3x3')), 'ops[2] (edge 1→2)', 'max_pool_3x3');
    // inputs may be listed in any order inside a node
    expect(parseNb201String('|nor_conv_3x3~0|+|avg_pool_3x3~1|nor_conv_3x3~0|+|skip_connect~2|nor_conv_3x3~1|skip_connect~0|').ops).toEqual(parseNb201String(NB).ops);
  });
});

describe('resolveGenotype', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tfnas-genotype-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('takes built-in names and strings', () => {
    expect(resolveGenotype('DARTS_V2')).toEqual({ space: 'darts', genotype: V2(), source: 'built-in DARTS_V2' });
    expect(resolveGenotype(' darts ').genotype).toEqual(V2());
    expect(resolveGenotype(formatDartsGenotype(V2()))).toMatchObject({ space: 'darts', genotype: V2(), source: 'string' });
    expect(resolveGenotype(NB, { allowNb201: true })).toMatchObject({ space: 'nb201', genotype: parseNb201String(NB) });
    rejects(() => resolveGenotype(NB), '--genotype', 'NAS-Bench-201 cell', 'needs a DARTS-space genotype');
  });

  it('takes JSON files, text files and run folders', () => {
    const json = path.join(dir, 'cell.json');
    fs.writeFileSync(json, genotypeToJson(V2()));
    expect(resolveGenotype(json)).toEqual({ space: 'darts', genotype: V2(), source: `file ${json}` });
    const run = path.join(dir, 'run');
    fs.mkdirSync(run);
    fs.writeFileSync(path.join(run, 'genotype.json'), JSON.stringify({ space: 'nb201', genotype: NB }));
    expect(resolveGenotype(run, { allowNb201: true }).genotype).toEqual(parseNb201String(NB));
    const txt = path.join(dir, 'cell.py');
    fs.writeFileSync(txt, `DARTS_V2 = ${formatDartsGenotype(V2())}\n`);
    expect(resolveGenotype(txt).genotype).toEqual(V2());
  });

  it('says clearly what is wrong', () => {
    rejects(() => resolveGenotype('DARTS_V3'), '--genotype: "DARTS_V3" is not a built-in genotype (DARTS_V1, DARTS_V2', 'existing file or run folder');
    rejects(() => resolveGenotype(path.join(dir, 'missing.json')), `--genotype: no such file or folder: ${path.join(dir, 'missing.json')}`);
    rejects(() => resolveGenotype(dir, { argName: 'cell' }), '--cell:', 'has no genotype.json', 'tfnas search');
    rejects(() => resolveGenotype(['DARTS_V1', 'DARTS_V2'] as unknown as string), '--genotype: expected one genotype, got ["DARTS_V1","DARTS_V2"]');
    const bad = path.join(dir, 'bad.json');
    fs.writeFileSync(bad, JSON.stringify({ ...V2(), normal_concat: [2, 9] }));
    rejects(() => resolveGenotype(bad), '--genotype:', 'normal_concat[1] = 9');
    fs.writeFileSync(bad, JSON.stringify({ hello: 1 }));
    rejects(() => resolveGenotype(bad), '--genotype:', 'genotype JSON: expected');
    const badText = path.join(dir, 'bad.txt');
    fs.writeFileSync(badText, 'not a genotype at all');
    rejects(() => resolveGenotype(badText), '--genotype:', 'not a genotype string');
    rejects(() => resolveGenotype("Genotype(normal=[('sep_conv_3x3', 0)])"), '--genotype: DARTS genotype string: missing fields');
  });

  it('reports truncated or empty JSON as such, and accepts a byte-order mark', () => {
    const file = path.join(dir, 'cut.json');
    const text = genotypeToJson(V2());
    fs.writeFileSync(file, text.slice(0, text.length / 2));
    rejects(() => resolveGenotype(file), `--genotype: ${file} is not valid JSON:`);
    const noExt = path.join(dir, 'cut');
    fs.writeFileSync(noExt, text.slice(0, 40));
    rejects(() => resolveGenotype(noExt), `--genotype: ${noExt} is not valid JSON:`);
    fs.writeFileSync(file, '');
    rejects(() => resolveGenotype(file), `--genotype: ${file} is empty`);
    fs.writeFileSync(file, '\uFEFF' + text);
    expect(resolveGenotype(file).genotype).toEqual(V2());
    fs.writeFileSync(file, '\uFEFF' + formatDartsGenotype(V2()));
    expect(resolveGenotype(file).genotype).toEqual(V2());
  });
});
