import * as path from 'path';
import { findLibraries } from './gpu';

/**
 * The `webgpu` backend in Node: Dawn's Node bindings (npm `webgpu`, an optional dependency with a
 * prebuilt dawn.node) give `navigator.gpu`, and @tensorflow/tfjs-backend-webgpu runs on it. WebGPU
 * reaches a GPU through the driver it already has (Vulkan, Metal, D3D12), without CUDA.
 *
 * The tfjs package registers its backend at import time only where `navigator.gpu` exists, so
 * `loadWebgpu` sets it first. Dawn can also offer a software adapter (SwiftShader, a "fallback
 * adapter"): `auto` never picks one, and a run on one is labelled so (see `deviceLabel`).
 */

/** What tfnas reports about the adapter: from GPUAdapter.info and GPUAdapter.limits. */
export interface AdapterFacts {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  isFallbackAdapter: boolean;
  /** Largest single buffer (so the largest tensor), bytes. */
  maxBufferSize: number;
  /** Largest buffer one shader may bind, bytes. */
  maxStorageBufferBindingSize: number;
}

interface GpuLike {
  requestAdapter(options?: { powerPreference?: string }): Promise<AdapterLike | null>;
}
interface AdapterLike {
  info?: Record<string, unknown>;
  isFallbackAdapter?: boolean;
  limits: Record<string, number>;
}
type Dawn = { create(flags: string[]): GpuLike; globals: Record<string, unknown> };

const g = globalThis as unknown as { navigator?: { gpu?: GpuLike } };
/** Dawn's Vulkan backend loads this (Chromium's copy in /usr/lib/chromium works with SwiftShader). */
const VULKAN_LOADER = 'libvulkan.so.1';
let adapterPromise: Promise<AdapterFacts | null> | null = null;

/** The dawn.node of this platform inside the `webgpu` package (its index.js is ESM only). */
function loadDawn(): Dawn {
  const dir = path.dirname(require.resolve('webgpu/package.json'));
  const arch = process.platform === 'darwin' ? 'universal' : process.arch;
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  return require(path.join(dir, 'dist', `${process.platform}-${arch}`, 'dawn.node')) as Dawn;
}

/**
 * Makes `navigator.gpu` from Dawn (unless something already did) and loads the tfjs webgpu
 * backend. Throws when the `webgpu` package is not installed or its dawn.node cannot load here.
 */
export function loadWebgpu(): void {
  if (!g.navigator?.gpu) {
    const dawn = loadDawn();
    for (const [k, v] of Object.entries(dawn.globals)) if (!(k in globalThis)) (globalThis as Record<string, unknown>)[k] = v;
    g.navigator = { ...(g.navigator ?? {}), gpu: dawn.create([]) };
  }
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  require('@tensorflow/tfjs-backend-webgpu');
}

/** The adapter tfjs will get (same request: high-performance), or null when Dawn finds none. */
export function webgpuAdapter(): Promise<AdapterFacts | null> {
  adapterPromise ??= requestFacts();
  return adapterPromise;
}

async function requestFacts(): Promise<AdapterFacts | null> {
  const gpu = g.navigator?.gpu;
  if (!gpu) return null;
  // Without the Vulkan loader Dawn finds no adapter on Linux anyway, but says so on stderr at every
  // start; asking the dynamic loader first keeps `auto` quiet there.
  if (process.platform === 'linux' && findLibraries([VULKAN_LOADER]).length === 0) return null;
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) return null;
  const info = adapter.info ?? {};
  const str = (k: string) => String(info[k] ?? '');
  return {
    vendor: str('vendor'),
    architecture: str('architecture'),
    device: str('device'),
    description: str('description'),
    // Newer Dawn puts it on info (the current spec), older on the adapter.
    isFallbackAdapter: Boolean(info.isFallbackAdapter ?? adapter.isFallbackAdapter ?? false),
    maxBufferSize: adapter.limits.maxBufferSize,
    maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
  };
}

/** Whether a backend choice may use this adapter: `auto` only on hardware, an explicit `--backend webgpu` on any. */
export function judgeAdapter(facts: AdapterFacts | null, explicit: boolean): { ok: boolean; reason: string } {
  if (!facts) {
    return { ok: false, reason: `no WebGPU adapter (no Vulkan/Metal/D3D12 driver that Dawn accepts${process.platform === 'linux' ? `, or no ${VULKAN_LOADER}` : ''})` };
  }
  const what = adapterLabel(facts);
  if (facts.isFallbackAdapter && !explicit) return { ok: false, reason: `only a fallback adapter (${what}), which auto never picks` };
  return { ok: true, reason: what };
}

/** One line naming the adapter, with its largest buffer; a fallback adapter says it is software. */
export function adapterLabel(f: AdapterFacts): string {
  const name = [f.vendor, f.architecture].filter(Boolean).join(' ') || 'unknown adapter';
  const kind = f.isFallbackAdapter ? 'fallback adapter: software, not a GPU' : 'hardware adapter';
  return `${name}${f.description ? ` (${f.description})` : ''}, ${kind}, max buffer ${(f.maxBufferSize / 2 ** 30).toFixed(2)} GiB`;
}

/** Lets the process exit: Dawn's instance keeps the event loop alive while `navigator.gpu` holds it. */
export function releaseWebgpu(): void {
  if (g.navigator?.gpu) delete g.navigator.gpu;
  adapterPromise = null;
}

let inUse: AdapterFacts | null = null;
let firstError: string | null = null;

/**
 * Listens for the device's uncaptured errors. An invalid pipeline does not throw in tfjs: its
 * kernel's output just stays zeros (AddN beyond 7 inputs did, see webgpu-kernels.ts), so a run
 * checks `assertNoDeviceError` before it records an epoch.
 */
export function watchDevice(device: { onuncapturederror: ((e: { error?: { message?: string } }) => void) | null }): void {
  firstError = null;
  device.onuncapturederror = (e) => {
    const message = String(e.error?.message ?? e).split('\n').filter(Boolean).slice(0, 2).join(' ');
    if (firstError === null) process.stderr.write(`tfnas: webgpu device error: ${message}\n`);
    firstError ??= message;
  };
}

/** Throws once the webgpu device has reported an error: every result since may be wrong. */
export function assertNoDeviceError(): void {
  if (firstError !== null) throw new Error(`the webgpu device reported an error, so results since are wrong (nothing more is saved): ${firstError}`);
}

/** Records the adapter of the backend now in use (null: not webgpu); `useBackend` calls it. */
export function setAdapterInUse(facts: AdapterFacts | null): void {
  inUse = facts;
}

/** The adapter the active backend runs on, or null when it is not webgpu (config.json records it). */
export function adapterInUse(): AdapterFacts | null {
  return inUse;
}
