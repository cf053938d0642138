import * as tf from '@tensorflow/tfjs';
import { loopKernel, maxPoolGradInto, PoolGradAttrs, poolInfo } from '../pool-grad';

/**
 * MaxPoolGrad as a direct loop over the windows, first maximum wins as on cpu; about the built-in's
 * cost. Registered for wasm, whose built-in disagreed with the cpu backend by 10–63% in most stride
 * and padding cases (issue 2), and for cpu, whose built-in mis-sizes dy when the forward pool used a
 * numeric pad with 'ceil' rounding (see poolInfo).
 */
export function maxPoolGrad(args: { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const { dy, input } = args.inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
  const info = poolInfo(input.shape, dy.shape, args.attrs as unknown as PoolGradAttrs);
  return loopKernel(args.backend, [input, dy], input.shape, ([x, g], dx) => maxPoolGradInto(info, x, g, dx));
}

export function maxPoolGradConfig(backendName: 'cpu' | 'wasm'): tf.KernelConfig {
  return { kernelName: 'MaxPoolGrad', backendName, kernelFunc: maxPoolGrad as unknown as tf.KernelFunc };
}
