import * as tf from '@tensorflow/tfjs';
import { WASM_TRAINING_KERNELS } from './wasm-kernels';
import { avgPoolGradConfig } from './avgpool-grad';
import { maxPoolGradConfig } from './wasm-kernels/max-pool-grad';
import { SIMD_WASM_KERNELS } from './simd/simd-kernels';
import { recordBuiltin } from './builtins';
import { WEBGPU_KERNELS } from './webgpu-kernels';

/**
 * Kernel fixes per tfjs backend name (see wasm-kernels/, avgpool-grad.ts, webgpu-kernels.ts). The native
 * `tensorflow` backend needs none. Built once so that every call registers the same configs.
 */
const FIXES: Record<string, readonly tf.KernelConfig[]> = {
  wasm: overriding([...WASM_TRAINING_KERNELS, avgPoolGradConfig('wasm')], SIMD_WASM_KERNELS),
  cpu: [avgPoolGradConfig('cpu'), maxPoolGradConfig('cpu')],
  webgpu: WEBGPU_KERNELS,
};

/**
 * `base` with the configs of `over` in place of same-named ones. The SIMD kernels (simd/) dispatch
 * to the composed ones of `base` themselves where SIMD is unavailable or a case is not covered.
 */
function overriding(base: readonly tf.KernelConfig[], over: readonly tf.KernelConfig[]): tf.KernelConfig[] {
  const names = new Set(over.map((k) => k.kernelName));
  return [...base.filter((k) => !names.has(k.kernelName)), ...over];
}

/** The backprop kernels whose tfnas versions honour a `dilations` attr (the built-in cpu ones ignore it). */
const DILATION_AWARE = ['Conv2DBackpropInput', 'Conv2DBackpropFilter', 'DepthwiseConv2dNativeBackpropInput', 'DepthwiseConv2dNativeBackpropFilter'];

/**
 * True when the active backend runs tfnas's backprop kernels, which honour `dilations` (verified
 * against a float64 reference), so dilated convolutions can take their gradients directly.
 */
export function backpropHonoursDilation(): boolean {
  const backend = tf.getBackend();
  const fixes = FIXES[backend] ?? [];
  return DILATION_AWARE.every((name) => {
    const ours = fixes.find((k) => k.kernelName === name);
    return ours !== undefined && tf.getKernel(name, backend)?.kernelFunc === ours.kernelFunc;
  });
}

/** The kernels `patchBackend(tfName)` registers, by name. */
export function patchedKernels(tfName: string): string[] {
  return (FIXES[tfName] ?? []).map((k) => k.kernelName);
}

/**
 * Kernel fixes registered for a backend when it is selected (see wasm-kernels/, avgpool-grad.ts).
 * Idempotent: calling it twice for the same backend registers nothing twice. A built-in kernel of
 * the same name is unregistered first (re-registering would replace it, but with a warning).
 */
export function patchBackend(tfName: string): void {
  const ours = new Set(Object.values(FIXES).flatMap((list) => list.map((k) => k.kernelFunc)));
  for (const config of FIXES[tfName] ?? []) {
    const current = tf.getKernel(config.kernelName, config.backendName);
    if (current?.kernelFunc === config.kernelFunc) continue;
    if (current) {
      if (!ours.has(current.kernelFunc)) recordBuiltin(current);
      tf.unregisterKernel(config.kernelName, config.backendName);
    }
    tf.registerKernel(config);
  }
}
