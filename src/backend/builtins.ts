import type * as tf from '@tensorflow/tfjs';

/**
 * The backends' own kernels that tfnas replaced (patches.ts records them when it registers its
 * own), so a replacement can hand the cases it does not cover back to the original.
 */
const replaced = new Map<string, tf.KernelConfig>();

const key = (kernelName: string, backendName: string) => `${backendName}/${kernelName}`;

export function recordBuiltin(config: tf.KernelConfig): void {
  const k = key(config.kernelName, config.backendName);
  if (!replaced.has(k)) replaced.set(k, config);
}

/** The original kernel function of `kernelName` on `backendName`; throws when none was recorded. */
export function builtinKernel(kernelName: string, backendName: string): tf.KernelFunc {
  const config = replaced.get(key(kernelName, backendName));
  if (!config) throw new Error(`tfnas: the ${backendName} backend's own ${kernelName} kernel was not recorded (patchBackend not run?)`);
  return config.kernelFunc;
}
