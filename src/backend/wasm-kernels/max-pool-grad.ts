import * as tf from '@tensorflow/tfjs';
import { loopKernel, maxPoolGradInto, PoolGradAttrs, poolInfo } from '../pool-grad';

/**
 * MaxPoolGrad for wasm: the built-in disagreed with the cpu backend by 10–63% in most stride and
 * padding cases (issue 2). A direct loop over the windows, first maximum wins as on cpu; it costs
 * about what the built-in did.
 */
function maxPoolGrad(args: { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const { dy, input } = args.inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
  const info = poolInfo(input.shape, args.attrs as unknown as PoolGradAttrs);
  return loopKernel(args.backend, [input, dy], input.shape, ([x, g], dx) => maxPoolGradInto(info, x, g, dx));
}

export const maxPoolGradConfig: tf.KernelConfig = {
  kernelName: 'MaxPoolGrad',
  backendName: 'wasm',
  kernelFunc: maxPoolGrad as unknown as tf.KernelFunc,
};
