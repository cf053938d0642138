import * as fs from 'fs';
import * as path from 'path';

/**
 * The module graph stays a DAG, so that each folder's modules can be read (and loaded) from the bottom
 * up: the DARTS loop, the evaluator registry and the supernet evaluator once formed a circle. A static
 * cycle also makes load order decide which module sees `undefined`. Dynamic `import()` counts (it
 * defers loading, not dependence); type-only imports are erased, so they do not.
 */
const SRC = __dirname;
const IMPORT = /(?:^|\n)\s*(?:import|export)\s+(?!type\b)[^'";]*?from\s+'(\.[^']+)'|import\('(\.[^']+)'\)/g;

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'test-utils' ? [] : sources(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [p] : [];
  });
}

function imports(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  return [...text.matchAll(IMPORT)]
    .map((m) => path.join(path.dirname(file), m[1] ?? m[2]))
    .map((base) => [`${base}.ts`, path.join(base, 'index.ts')].find((f) => fs.existsSync(f)))
    .filter((f): f is string => f !== undefined);
}

export function importCycles(files: string[], edges: (f: string) => string[]): string[][] {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  const visit = (f: string): void => {
    state.set(f, 'open');
    stack.push(f);
    for (const g of edges(f)) {
      if (state.get(g) === 'open') cycles.push([...stack.slice(stack.indexOf(g)), g]);
      else if (!state.has(g)) visit(g);
    }
    stack.pop();
    state.set(f, 'done');
  };
  files.forEach((f) => state.has(f) || visit(f));
  return cycles;
}

describe('module graph', () => {
  it('finds a cycle when there is one (the detector itself)', () => {
    const g: Record<string, string[]> = { a: ['b'], b: ['c'], c: ['a'], d: ['a'] };
    expect(importCycles(Object.keys(g), (f) => g[f])).toEqual([['a', 'b', 'c', 'a']]);
  });

  it('has no import cycle in src/', () => {
    const files = sources(SRC);
    expect(files.length).toBeGreaterThan(100);
    const rel = (c: string[]) => c.map((f) => path.relative(SRC, f)).join(' -> ');
    expect(importCycles(files, imports).map(rel)).toEqual([]);
  });
});
