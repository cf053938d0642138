/**
 * The loopback server of `tfnas bench latency --browser`: 127.0.0.1 on an ephemeral port, serving
 * exactly the page, its bundle and the wasm backend's three binaries (by name, from a fixed list)
 * and nothing else of the disk. The page is cross-origin isolated (COOP/COEP) as an app that
 * wants the wasm backend's threads must be, so the wasm backend runs its threaded SIMD build.
 */
import * as fs from 'fs';
import * as http from 'http';
import * as path from 'path';
import type { AddressInfo } from 'net';

export const WASM_FILES = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'];

const INDEX = '<!doctype html><html><head><meta charset="utf-8"><title>tfnas bench latency</title></head><body><script src="/latency-page.js"></script></body></html>';

export interface PageServer {
  url: string;
  close(): Promise<void>;
}

/** The files served: URL path → [file, content type]. */
function routes(bundle: string): Map<string, [string | null, string]> {
  const wasmDir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
  return new Map<string, [string | null, string]>([
    ['/', [null, 'text/html; charset=utf-8']],
    ['/latency-page.js', [bundle, 'text/javascript; charset=utf-8']],
    ...WASM_FILES.map((f): [string, [string, string]] => [`/wasm/${f}`, [path.join(wasmDir, f), 'application/wasm']]),
  ]);
}

/** Starts the server for the page bundle `bundle`; close() stops it. */
export async function servePage(bundle: string): Promise<PageServer> {
  const files = routes(bundle);
  const server = http.createServer((req, res) => {
    const route = req.method === 'GET' ? files.get(new URL(req.url ?? '/', 'http://127.0.0.1').pathname) : undefined;
    const headers = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp', 'Cache-Control': 'no-store' };
    if (!route) {
      res.writeHead(404, headers).end();
      return;
    }
    const [file, type] = route;
    res.writeHead(200, { ...headers, 'Content-Type': type });
    if (file === null) res.end(INDEX);
    else fs.createReadStream(file).on('error', () => res.destroy()).pipe(res);
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
