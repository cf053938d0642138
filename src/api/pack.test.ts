/**
 * What `npm pack` publishes: dist/ (JavaScript and its .d.ts types, entry points as package.json
 * names them), the browser page of `bench latency --browser` (dist/latency-page), the embedded NAS-Bench-201 table, README and licence files, and nothing from the
 * tests (no *.test.*, no test-utils, no sources). dist/ is built first where it is missing (CI
 * builds it in `npm ci`'s prepare step).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

jest.setTimeout(600_000);
const ROOT = path.join(__dirname, '..', '..');

describe('npm pack', () => {
  let files: string[];
  beforeAll(() => {
    if (!fs.existsSync(path.join(ROOT, 'dist', 'index.js'))) execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'ignore' });
    const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8' });
    files = (JSON.parse(out) as { files: { path: string }[] }[])[0].files.map((f) => f.path);
  });

  it('holds the entry points, the types and the NB201 table', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { main: string; types: string; bin: Record<string, string> };
    for (const f of [pkg.main, pkg.types, ...Object.values(pkg.bin), 'dist/api/image-classifier.d.ts', 'dist/api/search.d.ts', 'dist/latency-page/latency-page.js', 'assets/nb201.csv.gz', 'package.json', 'README.md']) {
      expect(files).toContain(f.replace(/^\.\//, ''));
    }
  });

  it('holds nothing from the tests and no sources', () => {
    expect(files.filter((f) => /\.test\.|test-utils|^src\/|fixtures/.test(f))).toEqual([]);
    expect(files.every((f) => /^(dist|assets)\//.test(f) || /^(package\.json|README\.md|LICEN[CS]E.*)$/.test(f))).toBe(true);
  });
});
