import * as tf from '@tensorflow/tfjs';
import { convOutputSize, dilatedDepthwiseConv2d } from '../../ops/dilated';

interface DilatedDepthwiseArgs {
  name?: string;
  kernelSize: number;
  dilationRate: number;
  /** 1 or 2; with PyTorch padding (k−1)·d/2 on every side, i.e. 'same' at stride 1. */
  strides?: number;
  kernelInitializer?: ReturnType<typeof tf.initializers.zeros>;
}

/**
 * A dilated depthwise convolution (depth multiplier 1, no bias) that can
 * be trained on every backend: tfjs-core's depthwise conv gradient asserts dilation 1, so the op
 * goes through ../../ops/dilated (space-to-batch). Its single weight has the name and shape of
 * tf.layers.depthwiseConv2d's (`depthwise_kernel`, [k, k, C, 1]), so the inference model, which
 * uses the standard layer, takes the trained weights unchanged.
 */
export class DilatedDepthwiseConv2D extends tf.layers.Layer {
  static className = 'TfnasDilatedDepthwiseConv2D';
  private readonly kernelSize: number;
  private readonly dilationRate: number;
  private readonly strides: number;
  private readonly init: ReturnType<typeof tf.initializers.zeros>;
  private kernel: tf.LayerVariable | null = null;

  constructor(args: DilatedDepthwiseArgs) {
    super({ name: args.name });
    this.kernelSize = args.kernelSize;
    this.dilationRate = args.dilationRate;
    this.strides = args.strides ?? 1;
    this.init = args.kernelInitializer ?? tf.initializers.glorotUniform({});
    if (this.kernelSize % 2 !== 1) throw new Error(`DilatedDepthwiseConv2D: odd kernel size expected, got ${this.kernelSize}`);
  }

  build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const c = shape[shape.length - 1] as number;
    const k = this.kernelSize;
    this.kernel = this.addWeight('depthwise_kernel', [k, k, c, 1], 'float32', this.init);
    this.built = true;
  }

  computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const pad = this.pad();
    const size = (n: number | null) => (n === null ? null : convOutputSize(n, this.kernelSize, this.strides, pad, this.dilationRate));
    return [shape[0], size(shape[1]), size(shape[2]), shape[3]];
  }

  private pad(): number {
    return ((this.kernelSize - 1) * this.dilationRate) / 2;
  }

  call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
    return tf.tidy(() => dilatedDepthwiseConv2d(x, this.kernel!.read() as tf.Tensor4D, this.strides, this.pad(), this.dilationRate));
  }

  getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), kernelSize: this.kernelSize, dilationRate: this.dilationRate, strides: this.strides };
  }
}
tf.serialization.registerClass(DilatedDepthwiseConv2D);
