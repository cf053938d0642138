import type * as tf from '@tensorflow/tfjs';

/**
 * Identity for wasm without a copy. tfjs-core's engine clones every tensor a kernel saves for its
 * gradient (Engine.saveTensorsForBackwardMode) and AddN's gradient clones dy once per input; the
 * wasm backend's Identity copies the whole buffer each time (in one DARTS search step: ~20,000
 * copies, about 4% of the step at the paper configuration, and twice the memory of every saved
 * activation). Sharing the buffer with a reference count is what the cpu and webgl backends do,
 * and is safe because no kernel writes into its inputs.
 */
interface RefCounting {
  incRef(dataId: tf.DataId): void;
}

function identity({ inputs, backend }: { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend }): tf.TensorInfo {
  const x = inputs.x as tf.TensorInfo;
  (backend as unknown as RefCounting).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

export const identityConfig: tf.KernelConfig = {
  kernelName: 'Identity',
  backendName: 'wasm',
  kernelFunc: identity as unknown as tf.KernelFunc,
};
