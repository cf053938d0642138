import * as tf from '@tensorflow/tfjs';
import { avgPoolGradInto, loopKernel, PoolGradAttrs, poolInfo } from './pool-grad';

/**
 * AvgPoolGrad for the cpu and wasm backends. tfjs's forward avgPool divides each window by the
 * number of in-bounds elements (PyTorch count_include_pad=False, which DARTS's avg_pool_3x3 uses),
 * but the built-in gradients of those two backends divide by the full window size, so every border
 * pixel got a wrong gradient (issue 2: corner of avgPool(ones[1,3,3,1], 3, 1, 'same') is
 * 1/4+1/6+1/6+1/9 ≈ 0.694, not 4/9). The native TensorFlow kernels of tfjs-node are right already.
 */
export function avgPoolGrad(args: { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const { dy, input } = args.inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
  const info = poolInfo(input.shape, dy.shape, args.attrs as unknown as PoolGradAttrs);
  return loopKernel(args.backend, [dy], input.shape, ([dyValues], dx) => avgPoolGradInto(info, dyValues, dx));
}

/** The replacement AvgPoolGrad kernel for `backendName` ('cpu' or 'wasm'). */
export function avgPoolGradConfig(backendName: 'cpu' | 'wasm'): tf.KernelConfig {
  return { kernelName: 'AvgPoolGrad', backendName, kernelFunc: avgPoolGrad as unknown as tf.KernelFunc };
}
