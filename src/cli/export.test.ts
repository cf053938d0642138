import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { builtinGenotype } from '../space/builtin-genotypes';
import { formatDartsGenotype, parseNb201String } from '../space/genotype';
import { buildCli } from './main';
import { runCli } from './test-utils/run-cli';

const NB = '|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|';

const run = (...argv: string[]) => runCli(argv);

describe('tfnas export', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tfnas-export-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('prints every form on stdout', async () => {
    const v2 = builtinGenotype('DARTS_V2')!;
    const json = await run('export', '--genotype', 'DARTS_V2');
    expect(json.code).toBe(0);
    expect(JSON.parse(json.out)).toEqual(v2);
    const darts = await run('export', '--genotype', 'darts_v2', '--format', 'darts');
    expect(darts.out).toBe(formatDartsGenotype(v2) + '\n');
    const nb = await run('export', '--genotype', NB, '--format', 'nb201');
    expect(nb.out).toBe(NB + '\n');
    expect(JSON.parse((await run('export', '--genotype', NB)).out)).toEqual(parseNb201String(NB));
    expect((await run('export', '--genotype', 'PDARTS', '--format', 'dot')).out).toContain('subgraph "cluster_reduce"');
    const svg = await run('export', '--genotype', 'PC_DARTS', '--format', 'svg');
    expect(svg.out).toContain('<svg xmlns=');
    expect(svg.out).toContain('>PC_DARTS</text>');
  });

  it('writes --out atomically and reads it back as a genotype', async () => {
    const file = path.join(dir, 'sub', 'cell.json');
    const r = await run('export', '--genotype', 'PDARTS', '--out', file);
    expect(r).toMatchObject({ code: 0, out: '' });
    expect(r.err).toContain(`to ${file}`);
    expect(fs.readdirSync(path.dirname(file))).toEqual(['cell.json']);
    const again = await run('export', '--genotype', file, '--format', 'darts');
    expect(again.out).toBe(formatDartsGenotype(builtinGenotype('PDARTS')!) + '\n');
    const svgFile = path.join(dir, 'cells.svg');
    expect((await run('export', '--genotype', file, '--format', 'svg', '--out', svgFile, '--title', 'mine')).code).toBe(0);
    expect(fs.readFileSync(svgFile, 'utf8')).toContain('>mine</text>');
  });

  it('exits 2 with a clear message on bad input, writing nothing', async () => {
    const out = path.join(dir, 'never.txt');
    const cases: [string[], string][] = [
      [['--genotype', 'DARTS_V9'], '--genotype: "DARTS_V9" is not a built-in genotype'],
      [['--genotype', 'DARTS_V2', '--format', 'nb201', '--out', out], '--format nb201: built-in DARTS_V2 is a DARTS-space genotype'],
      [['--genotype', NB, '--format', 'darts', '--out', out], '--format darts: the --genotype string is a NAS-Bench-201 cell'],
      [['--genotype', 'DARTS_V2', '--format', 'png'], 'Invalid values'],
      [['--genotype', "Genotype(normal=[('sep_conv_9x9', 0)])"], 'missing fields'],
      [['--format', 'svg'], '--genotype: required'],
      [['--genotype', 'DARTS_V2', '--genotype', 'PDARTS', '--out', out], '--genotype: given more than once; expected it once'],
      [['--genotype', 'DARTS_V2', '--title', 'x', '--out', out], '--title: only --format svg draws a caption, not --format json'],
      [['--genotype', 'DARTS_V2', '--out', dir], `--out: ${dir} is a folder`],
    ];
    for (const [args, message] of cases) {
      const r = await run('export', ...args);
      expect(r.code).toBe(2);
      expect(r.out).toBe('');
      expect(r.err).toContain(message);
      expect(r.err).toMatch(/^tfnas: error: /);
    }
    expect(fs.existsSync(out)).toBe(false);
  });

  it('reads the best cell of a black-box search run folder (best.json)', async () => {
    const run1 = path.join(dir, 'bb-run');
    fs.mkdirSync(run1);
    fs.writeFileSync(path.join(run1, 'best.json'), JSON.stringify({ strategy: 'evolution', best: NB, genotype: parseNb201String(NB) }));
    const r = await run('export', '--genotype', run1, '--format', 'nb201');
    expect(r).toMatchObject({ code: 0, out: NB + '\n' });
  });

  it('is listed in tfnas --help with an example', async () => {
    const help = (await buildCli([]).getHelp()).replace(/\s+/g, ' ');
    expect(help).toMatch(/tfnas export Write a genotype as json, darts, nb201, hash \(NAS-Bench-101\), key \(macro\), dot or svg, or a trained macro network as a browser model \(e\.g\. tfnas export --genotype DARTS_V2/);
  });
});
