import { KERNELS_WASM_BASE64 } from './kernels-wasm';

/**
 * Loader of tfnas's SIMD kernels (kernels.c, built by scripts/build-simd.sh) for the tfjs wasm
 * backend. The module imports the backend's own linear memory and owns none itself (the build
 * checks it has no data segments and no shadow stack), so its functions work directly on tensors
 * in the tfjs heap: they take the byte addresses of their operands, as tfjs's own kernels do.
 * Nothing is copied; addresses stay valid when the heap grows.
 */

type Fn = (...args: number[]) => void;

/** The parts of the WebAssembly API used here (the project's TypeScript libs do not declare it). */
interface WasmInstance {
  readonly exports: Record<string, unknown>;
}
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => WasmInstance;
}
const wasmApi = (): WasmApi | undefined => (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

/** The tfjs wasm backend internals the kernels use (tfjs-backend-wasm 4.x `BackendWasm`). */
export interface WasmBackendInternals {
  wasm: { asm?: { memory?: object }; _malloc(bytes: number): number; _free(ptr: number): void };
  dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
}

export class SimdModule {
  private readonly fns: Record<string, Fn> = {};

  constructor(instance: WasmInstance) {
    for (const [name, f] of Object.entries(instance.exports)) if (typeof f === 'function') this.fns[name] = f as Fn;
  }

  /** Runs exported function `name` with operand addresses and sizes, as kernels.c declares it. */
  call(name: string, args: number[]): void {
    const fn = this.fns[name];
    if (!fn) throw new Error(`tfnas SIMD kernels: no function '${name}'`);
    fn(...args);
  }
}

let bytes: Uint8Array | null | undefined;
const modules = new WeakMap<object, SimdModule | null>();

/**
 * The SIMD kernels bound to `backend`'s heap, or null where WebAssembly SIMD is unavailable or the
 * backend does not expose its memory (then the composed kernels of wasm-kernels/ are used).
 * Compiled synchronously once per backend: the module is small, and Node allows it.
 * `TFNAS_SIMD=0` turns the kernels off (for comparisons in benchmarks and tests).
 */
export function simdKernels(backend: object): SimdModule | null {
  if (typeof process !== 'undefined' && process.env?.TFNAS_SIMD === '0') return null;
  const known = modules.get(backend);
  if (known !== undefined) return known;
  let module: SimdModule | null = null;
  try {
    const api = wasmApi();
    const memory = (backend as Partial<WasmBackendInternals>).wasm?.asm?.memory;
    if (bytes === undefined) bytes = decodeBase64(KERNELS_WASM_BASE64);
    if (api && memory && bytes && api.validate(bytes)) {
      module = new SimdModule(new api.Instance(new api.Module(bytes), { env: { memory } }));
    }
  } catch {
    module = null;
  }
  modules.set(backend, module);
  return module;
}

function decodeBase64(s: string): Uint8Array {
  if (typeof Buffer !== 'undefined') return new Uint8Array(Buffer.from(s, 'base64'));
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}
