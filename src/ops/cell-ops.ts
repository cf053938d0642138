import * as tf from '@tensorflow/tfjs';
import { DARTS_OPS } from './darts-ops';
import { Apply, Op, ParamBuilder, reluFirst, sequence } from './context';
import { bn, identity, sepConv } from './layers';

/**
 * The ops a discrete DARTS-space cell may hold (quark0/darts cnn/operations.py OPS without `none`),
 * as a registry `name → factory`: the DARTS candidate ops (the supernet's own factories, with
 * affine BatchNorm) plus sep_conv_7x7 and conv_7x1_1x7, which NASNet and AmoebaNet genotypes use.
 * One registry serves the supernet, the retraining network and (by parameter name) the export.
 */
export type CellOpFactory = (b: ParamBuilder, name: string, C: number, stride: number) => Op;

/** A kh×kw convolution (no bias) with strides [sh, sw] and symmetric padding [ph, pw] per axis. */
function convRect(b: ParamBuilder, name: string, k: [number, number], C: number, stride: [number, number], pad: [number, number]): Apply {
  const w = b.convRect(name, k[0], k[1], C, C);
  const p: [[number, number], [number, number], [number, number], [number, number]] = [[0, 0], [pad[0], pad[0]], [pad[1], pad[1]], [0, 0]];
  return (x, ctx) => tf.conv2d(x, ctx.w[w] as tf.Tensor4D, stride, p);
}

export const CELL_OPS: Record<string, CellOpFactory> = {
  max_pool_3x3: (b, name, C, stride) => DARTS_OPS.max_pool_3x3(b, name, C, stride, true),
  avg_pool_3x3: (b, name, C, stride) => DARTS_OPS.avg_pool_3x3(b, name, C, stride, true),
  skip_connect: (b, name, C, stride) => DARTS_OPS.skip_connect(b, name, C, stride, true),
  sep_conv_3x3: (b, name, C, stride) => DARTS_OPS.sep_conv_3x3(b, name, C, stride, true),
  sep_conv_5x5: (b, name, C, stride) => DARTS_OPS.sep_conv_5x5(b, name, C, stride, true),
  sep_conv_7x7: (b, name, C, stride) => sepConv(b, name, C, C, 7, stride, 3, true),
  dil_conv_3x3: (b, name, C, stride) => DARTS_OPS.dil_conv_3x3(b, name, C, stride, true),
  dil_conv_5x5: (b, name, C, stride) => DARTS_OPS.dil_conv_5x5(b, name, C, stride, true),
  // ReLU, conv 1×7 (stride (1, s)), conv 7×1 (stride (s, 1)), BN.
  conv_7x1_1x7: (b, name, C, stride) =>
    reluFirst(
      sequence(
        convRect(b, `${name}.conv1x7`, [1, 7], C, [1, stride], [0, 3]),
        convRect(b, `${name}.conv7x1`, [7, 1], C, [stride, 1], [3, 0]),
        bn(b, `${name}.bn`, C, true),
      ),
    ),
};

export const CELL_OP_NAMES = Object.keys(CELL_OPS);

/** Whether a built op is the identity (skip_connect at stride 1): no drop-path after it (model.py Cell). */
export function isIdentity(op: Op): boolean {
  return op.apply === identity;
}
