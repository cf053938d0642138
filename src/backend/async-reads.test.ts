import * as fs from 'fs';
import * as path from 'path';

/**
 * Lint-style guard (issue 18): every read from the device in the training, search, evaluation and
 * benchmark paths is asynchronous (`await t.data()` / `t.array()`). The webgpu backend cannot read
 * synchronously in Node (dataSync/arraySync throw "OffscreenCanvas is not defined"; in a browser
 * they return zeros and lose the device), and an asynchronous read lets a GPU queue work ahead.
 * Tests and the cpu/wasm kernels themselves (which read their own memory) are outside these paths.
 */
const REPO = path.resolve(__dirname, '..', '..');
const PATHS = ['src/train', 'src/search', 'src/nets', 'src/ops', 'src/cli', 'src/queue', 'src/data', 'src/io', 'src/backend/op-bench.ts', 'scripts'];
const SYNC_READ = /\b(dataSync|arraySync|bufferSync)\s*\(/;
/**
 * Data parallelism (`--workers`) runs on wasm and cpu only (checkWorkers refuses the GPU backends):
 * its replicas exchange gradients synchronously inside a step, through shared memory.
 */
/**
 * GDAS (`--gumbel-tau`) draws each edge's op on the host from α before the forward, so that only
 * that op is computed; a search refuses it on webgpu (search/darts/search.ts).
 */
const CPU_ONLY = ['src/train/parallel', 'src/search/darts/replica.ts', 'src/nets/supernet-mixing.ts'];

function sources(p: string): string[] {
  const full = path.join(REPO, p);
  if (!fs.statSync(full).isDirectory()) return [full];
  return fs.readdirSync(full, { withFileTypes: true }).flatMap((e) => {
    const child = path.join(p, e.name);
    if (e.isDirectory()) return e.name === 'test-utils' ? [] : sources(child);
    return /\.ts$/.test(e.name) && !/\.test\.ts$/.test(e.name) ? [path.join(REPO, child)] : [];
  });
}

/** `file:line: text` for each code line (not a comment) that reads synchronously. */
function syncReads(file: string, text: string): string[] {
  return text.split('\n').flatMap((line, i) => {
    const code = line.replace(/\/\/.*$/, '');
    if (/^\s*(\*|\/\*)/.test(code) || !SYNC_READ.test(code)) return [];
    return [`${path.relative(REPO, file)}:${i + 1}: ${line.trim()}`];
  });
}

describe('asynchronous device reads', () => {
  test('the guard finds a synchronous read and ignores comments', () => {
    const text = ['const a = x.dataSync()[0];', '// y.arraySync() in a comment', ' * z.dataSync() in a doc comment', 'const b = await x.data();', 'w.arraySync ()'].join('\n');
    expect(syncReads(path.join(REPO, 'src/train/x.ts'), text)).toEqual(['src/train/x.ts:1: const a = x.dataSync()[0];', 'src/train/x.ts:5: w.arraySync ()']);
  });

  test('no dataSync/arraySync/bufferSync in the training, search, evaluation and benchmark paths', () => {
    const files = PATHS.flatMap(sources).filter((f) => !CPU_ONLY.some((p) => path.relative(REPO, f).startsWith(p)));
    expect(files.length).toBeGreaterThan(50);
    const found = files.flatMap((f) => syncReads(f, fs.readFileSync(f, 'utf8')));
    expect(found).toEqual([]);
  });
});
