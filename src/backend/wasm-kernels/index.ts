import type * as tf from '@tensorflow/tfjs';
import { conv2DBackpropFilterConfig, conv2DBackpropInputConfig } from './conv2d-backprop';
import { depthwiseBackpropFilterConfig, depthwiseBackpropInputConfig } from './depthwise-backprop';
import { maxPoolGradConfig } from './max-pool-grad';
import { identityConfig } from './identity';

/**
 * The kernels the wasm backend of tfjs 4.22 lacks or gets wrong for training (issue 2):
 * missing Conv2DBackpropFilter and both depthwise backprops, a wrong MaxPoolGrad and a naive
 * (5–10x slower) Conv2DBackpropInput. Each is composed from existing wasm kernels. Also an
 * Identity that shares its input's buffer instead of copying it (see identity.ts).
 */
export const WASM_TRAINING_KERNELS: readonly tf.KernelConfig[] = [
  conv2DBackpropFilterConfig,
  conv2DBackpropInputConfig,
  depthwiseBackpropInputConfig,
  depthwiseBackpropFilterConfig,
  maxPoolGradConfig('wasm'),
  identityConfig,
];
