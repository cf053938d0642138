import * as tf from '@tensorflow/tfjs';
import { gatherGpuFacts, judgeGpu } from './gpu';
import { judgeAdapter, loadWebgpu, webgpuAdapter } from './webgpu';
import { UsageError } from '../io/errors';

export interface BackendEntry {
  /** The tfjs backend name that `tf.setBackend` takes once the package is loaded. */
  tfName: string;
  /** The npm package that provides it (null when built into @tensorflow/tfjs). */
  packageName: string | null;
  /** Loads the package; throws when it is not installed or cannot run here. */
  load(): Promise<void>;
  /**
   * Extra conditions beyond loading (the GPU must really be visible). `explicit`: named by
   * `--backend` rather than tried by `auto` (webgpu accepts a fallback adapter only then).
   */
  check?(explicit: boolean): Promise<{ ok: boolean; reason: string }>;
}

function requirePackage(name: string): void {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  require(name);
}

/** name → loader, in the order `--backend auto` tries them. */
export const BACKENDS: Record<string, BackendEntry> = {
  'tensorflow-gpu': {
    tfName: 'tensorflow',
    packageName: '@tensorflow/tfjs-node-gpu',
    load: async () => requirePackage('@tensorflow/tfjs-node-gpu'),
    check: async () => {
      const v = judgeGpu(gatherGpuFacts());
      return { ok: v.visible, reason: v.reason };
    },
  },
  // Any GPU through its own driver (Vulkan, Metal, D3D12): Dawn's Node bindings, see webgpu.ts.
  webgpu: {
    tfName: 'webgpu',
    packageName: 'webgpu',
    load: async () => loadWebgpu(),
    check: async (explicit) => judgeAdapter(await webgpuAdapter(), explicit),
  },
  tensorflow: {
    tfName: 'tensorflow',
    packageName: '@tensorflow/tfjs-node',
    load: async () => requirePackage('@tensorflow/tfjs-node'),
  },
  wasm: {
    tfName: 'wasm',
    packageName: '@tensorflow/tfjs-backend-wasm',
    load: async () => requirePackage('@tensorflow/tfjs-backend-wasm'),
  },
  cpu: {
    tfName: 'cpu',
    packageName: null,
    load: async () => undefined,
  },
};

export const BACKEND_NAMES = Object.keys(BACKENDS);

export function installHint(name: string): string {
  const entry = BACKENDS[name];
  if (!entry?.packageName) return '';
  if (name === 'webgpu') return 'npm install webgpu@0.6.2 (Dawn for Node; see README "GPU set-up")';
  const extra = name === 'tensorflow-gpu' ? ' (needs CUDA 11.2 and cuDNN 8.1; see README "GPU set-up")' : '';
  return `npm install ${entry.packageName}@${tf.version_core}${extra}`;
}

export function unknownBackend(name: string): UsageError {
  return new UsageError(`--backend: expected one of auto, ${BACKEND_NAMES.join(', ')}; got "${name}"`);
}
