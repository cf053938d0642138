/** The page server serves the page, its bundle and the wasm binaries from loopback, and nothing else. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { servePage, WASM_FILES } from './server';

describe('latency page server', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tfnas-page-server-'));
    fs.writeFileSync(path.join(dir, 'bundle.js'), 'globalThis.x = 1;');
    fs.writeFileSync(path.join(dir, 'secret.txt'), 'not served');
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('listens on 127.0.0.1, serves the page, the bundle and the wasm files cross-origin isolated; 404 for anything else', async () => {
    const server = await servePage(path.join(dir, 'bundle.js'));
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      const index = await fetch(server.url);
      expect(index.status).toBe(200);
      expect(index.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
      expect(index.headers.get('cross-origin-opener-policy')).toBe('same-origin');
      expect(await index.text()).toContain('<script src="/latency-page.js">');
      const bundle = await fetch(new URL('/latency-page.js', server.url));
      expect(await bundle.text()).toBe('globalThis.x = 1;');
      for (const f of WASM_FILES) {
        const r = await fetch(new URL(`/wasm/${f}`, server.url));
        expect([r.status, r.headers.get('content-type')]).toEqual([200, 'application/wasm']);
        expect(Buffer.from(await r.arrayBuffer()).subarray(0, 4)).toEqual(Buffer.from([0, 0x61, 0x73, 0x6d]));
      }
      for (const p of ['/secret.txt', '/bundle.js', '/wasm/', '/wasm/../package.json', '/%2e%2e/package.json', '/package.json', '/etc/passwd']) {
        const r = await fetch(new URL(p, server.url));
        expect([p, r.status]).toEqual([p, 404]);
      }
      expect((await fetch(server.url, { method: 'POST', body: 'x' })).status).toBe(404);
    } finally {
      await server.close();
    }
  });
});
