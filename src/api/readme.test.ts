/**
 * README's "Library use" examples, run exactly as written: each ```ts block is transpiled (no type
 * check here: `npm run typecheck` checks this file, and the blocks are type-checked below through
 * the same compiler), its `tfnas` import pointed at src/index.ts, and run in a fresh folder.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ts from 'typescript';

jest.setTimeout(300_000);

const README = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
const section = README.slice(README.indexOf('## Library use'), README.indexOf('## Layout'));
const blocks = [...section.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);

function run(code: string): Promise<void> {
  const js = ts.transpileModule(code, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true } }).outputText;
  const req = (name: string) => (name === 'tfnas' ? require('../index') : require(name));
  // Top-level await: the block runs as the body of an async function.
  const fn = new Function('require', 'exports', `return (async () => {\n${js}\n})();`) as (r: typeof req, e: object) => Promise<void>;
  return fn(req, {});
}

describe('README Library use', () => {
  const cwd = process.cwd();
  let dir: string;
  const logged: unknown[][] = [];
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tfnas-readme-'));
    process.chdir(dir);
    jest.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void logged.push(a));
    jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  });
  afterAll(() => {
    process.chdir(cwd);
    jest.restoreAllMocks();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('has the examples', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(6);
  });

  it('type-checks every example against the public surface', () => {
    const files = blocks.map((b, i) => path.join(__dirname, `readme-example-${i}.ts`));
    const host = ts.createCompilerHost({});
    const read = host.readFile;
    host.readFile = (f) => {
      const i = files.indexOf(f);
      if (i < 0) return read(f);
      // Imports at the top, the rest in an async function (top-level await needs an ES module here).
      const lines = blocks[i].replace(/from 'tfnas'/g, "from './../index'").split('\n');
      const imports = lines.filter((l) => l.startsWith('import '));
      return `${imports.join('\n')}\nexport async function example(): Promise<void> {\n${lines.filter((l) => !l.startsWith('import ')).join('\n')}\n}\n`;
    };
    host.fileExists = ((exists) => (f: string) => files.includes(f) || exists(f))(host.fileExists);
    const program = ts.createProgram(files, { strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, esModuleInterop: true, skipLibCheck: true, types: ['node'] }, host);
    const errors = ts.getPreEmitDiagnostics(program).filter((d) => d.file && files.includes(d.file.fileName));
    expect(errors.map((d) => `${path.basename(d.file!.fileName)}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`)).toEqual([]);
  });

  it.each(blocks.map((b, i) => [i, b]))('example %i runs', async (_i, code) => {
    await run(code as string);
  });

  it('printed what the README says', () => {
    const text = logged.map((a) => a.join(' ')).join('\n');
    expect(text).toMatch(/ABORTED/);
    expect(text).toMatch(/BAD_OPTION runs --runs: expected a positive integer, got 0/);
    expect(text).toMatch(/^input\s+8×8×3/m);
  });
});
