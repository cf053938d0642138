/**
 * The browser page of `tfnas bench latency --browser` (bundled by scripts/build-latency-page.js into
 * dist/latency-page/latency-page.js): the same positions, runnables and timing protocol as in Node
 * (latency/measure.ts, latency/networks.ts), on a browser backend of tfjs: webgl, wasm (its .wasm
 * files are served beside the page, see server.ts) or webgpu, with tfnas's kernel fixes for it
 * (backend/patches.ts) as in Node.
 */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-backend-webgpu';
import { patchBackend } from '../../backend/patches';
import { measureLatencyTable, measuredNetworkLatencies } from '../measure';
import { BrowserFacts, PAGE_ENTRY, PageAnswer, PageRequest, PROGRESS_ENTRY } from './protocol';

interface PageGlobals {
  navigator: { userAgent: string; hardwareConcurrency: number };
  [PROGRESS_ENTRY]?: (line: string) => Promise<void>;
  [PAGE_ENTRY]?: { run(r: PageRequest): Promise<PageAnswer> };
}
const page = globalThis as unknown as PageGlobals;

/** The served folder of the wasm backend's binaries (server.ts). */
const WASM_DIR = '/wasm/';

async function startBackend(name: PageRequest['backend']): Promise<void> {
  if (name === 'wasm') setWasmPaths(WASM_DIR);
  // setBackend resolves false (and logs) when the backend cannot start: say why as an error.
  if (!(await tf.setBackend(name))) throw new Error(`tf.setBackend('${name}') failed (see the browser's console lines above)`);
  await tf.ready();
  patchBackend(name);
}

async function facts(name: PageRequest['backend']): Promise<BrowserFacts> {
  const f: BrowserFacts = { user_agent: page.navigator.userAgent, browser_cores: page.navigator.hardwareConcurrency };
  if (name === 'webgl') {
    // The project compiles without the DOM library: the two calls of WebGLRenderingContext used here.
    const gl = (tf.backend() as unknown as { gpgpu: { gl: { RENDERER: number; getExtension(n: string): { UNMASKED_RENDERER_WEBGL: number } | null; getParameter(p: number): unknown } } }).gpgpu.gl;
    const ext = gl.getExtension('WEBGL_debug_renderer_info');
    f.device = String(ext ? gl.getParameter(ext.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER));
  }
  if (name === 'webgpu') {
    const info = (tf.backend() as unknown as { adapterInfo?: Record<string, unknown> }).adapterInfo ?? {};
    f.device = ['vendor', 'architecture', 'description'].map((k) => info[k]).filter(Boolean).join(' ') || 'unknown adapter';
  }
  if (name === 'wasm') {
    f.wasm_threads = (tf.backend() as unknown as { wasm: { _getThreadsCount?: () => number } }).wasm._getThreadsCount?.() ?? 1;
    f.wasm_simd = String(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
    f.wasm_multithread = String(await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'));
  }
  return f;
}

async function run(r: PageRequest): Promise<PageAnswer> {
  try {
    await startBackend(r.backend);
  } catch (e) {
    return { kind: 'error', stage: 'backend', message: String((e as Error)?.message ?? e) };
  }
  try {
    const f = await facts(r.backend);
    const onProgress = (what: string) => void page[PROGRESS_ENTRY]?.(what);
    if (r.kind === 'cells') return { kind: 'cells', measured: await measuredNetworkLatencies(r.network, r.genotypes, r.timing), facts: f };
    const machine = { ...r.machine, ...f };
    const backend = `chromium/${r.backend}`;
    const versions = { ...r.versions, tfjs: tf.version.tfjs, browser: f.user_agent };
    const { table, validation } = await measureLatencyTable(r.network, { ...r.timing, backend, machine, versions, calibration: r.calibration, validate: r.validate, onProgress });
    return { kind: 'table', table, validation, facts: f };
  } catch (e) {
    return { kind: 'error', stage: 'measure', message: String((e as Error)?.stack ?? e) };
  }
}

page[PAGE_ENTRY] = { run };
