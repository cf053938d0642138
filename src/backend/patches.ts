import * as tf from '@tensorflow/tfjs';
import { WASM_TRAINING_KERNELS } from './wasm-kernels';
import { avgPoolGradConfig } from './avgpool-grad';
import { maxPoolGradConfig } from './wasm-kernels/max-pool-grad';

/**
 * Kernel fixes per tfjs backend name (see wasm-kernels/ and avgpool-grad.ts). The native
 * `tensorflow` backend needs none. Built once so that every call registers the same configs.
 */
const FIXES: Record<string, readonly tf.KernelConfig[]> = {
  wasm: [...WASM_TRAINING_KERNELS, avgPoolGradConfig('wasm')],
  cpu: [avgPoolGradConfig('cpu'), maxPoolGradConfig('cpu')],
};

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
  for (const config of FIXES[tfName] ?? []) {
    const current = tf.getKernel(config.kernelName, config.backendName);
    if (current?.kernelFunc === config.kernelFunc) continue;
    if (current) tf.unregisterKernel(config.kernelName, config.backendName);
    tf.registerKernel(config);
  }
}
