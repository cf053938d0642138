import * as tf from '@tensorflow/tfjs';
import { OpContext, ParamBuilder, sequence } from '../ops/context';
import { bn, conv } from '../ops/layers';

/**
 * AuxiliaryHeadCIFAR (quark0/darts cnn/model.py): ReLU, avg pool 5 stride 3 (8×8 → 2×2, no
 * padding), conv 1×1 → 128, BN, ReLU, conv 2×2 → 768, BN, ReLU, linear. The reference assumes an
 * 8×8 map (32×32 inputs); for other sizes the window and stride are chosen so that it still yields
 * 2×2, which keeps the head's parameters (and the reference's count) unchanged.
 */
export function auxPoolWindow(side: number): [window: number, stride: number] {
  return side === 8 ? [5, 3] : [side - Math.floor(side / 2), Math.floor(side / 2)];
}

export function auxiliaryHead(b: ParamBuilder, name: string, C: number, numClasses: number): (x: tf.Tensor4D, ctx: OpContext) => tf.Tensor2D {
  const block1 = sequence(conv(b, `${name}_conv1`, 1, C, 128, 1, 0), bn(b, `${name}_bn1`, 128, true));
  const block2 = sequence(conv(b, `${name}_conv2`, 2, 128, 768, 1, 0), bn(b, `${name}_bn2`, 768, true));
  const { weight, bias } = b.linear(`${name}_classifier`, 768, numClasses);
  return (x, ctx) => {
    const [n, h, w] = x.shape;
    const [ph, sh] = auxPoolWindow(h);
    const [pw, sw] = auxPoolWindow(w);
    const pooled = tf.avgPool(tf.relu(x), [ph, pw], [sh, sw], 'valid');
    const y = tf.relu(block2(tf.relu(block1(pooled, ctx)), ctx));
    return tf.add(tf.matMul(tf.reshape(y, [n, 768]) as tf.Tensor2D, ctx.w[weight] as tf.Tensor2D), ctx.w[bias]) as tf.Tensor2D;
  };
}
