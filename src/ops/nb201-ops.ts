import * as tf from '@tensorflow/tfjs';
import { NB201_PRIMITIVES, Nb201Op } from '../space/primitives';
import { Apply, Op, ParamBuilder, sequence } from './context';
import { bn, conv, identity, pool3x3, reluConvBn, zero } from './layers';

/**
 * NAS-Bench-201 candidate ops (D-X-Y/AutoDL-Projects lib/models/cell_operations.py OPS), as a
 * registry `name → factory(builder, name, C_in, C_out, stride, affine)`. Unlike DARTS, the pools
 * are not followed by BN, and a pool only gets a 1×1 ReLU-Conv-BN when C_in ≠ C_out. Every conv has
 * a bias when its BN is not affine (AutoDL's `bias = not affine`): the bias cannot change a
 * batch-statistics BN's output, but the parameter count is how users check they run the same net.
 */
export type Nb201OpFactory = (b: ParamBuilder, name: string, cin: number, cout: number, stride: number, affine: boolean) => Op;

export const NB201_OPS: Record<Nb201Op, Nb201OpFactory> = {
  none: (_b, _n, _cin, cout, stride) => ({ apply: zero(stride, cout), zero: true }),
  skip_connect: (b, name, cin, cout, stride, affine) => {
    if (stride === 1 && cin === cout) return { apply: identity };
    return { apply: nb201FactorizedReduce(b, name, cin, cout, stride, affine) };
  },
  nor_conv_1x1: (b, name, cin, cout, stride, affine) => reluConvBn(b, name, cin, cout, 1, stride, 0, affine, !affine),
  nor_conv_3x3: (b, name, cin, cout, stride, affine) => reluConvBn(b, name, cin, cout, 3, stride, 1, affine, !affine),
  avg_pool_3x3: (b, name, cin, cout, stride, affine) => {
    const pool = pool3x3('avg', stride);
    if (cin === cout) return { apply: pool };
    return { apply: sequence(reluConvBn(b, `${name}.pre`, cin, cout, 1, 1, 0, affine, !affine).apply, pool) };
  },
};

/** The ops of one NB201 supernet edge, in the benchmark's op order. */
export function nb201MixedOps(b: ParamBuilder, name: string, cin: number, cout: number, stride: number, affine: boolean): Op[] {
  return NB201_PRIMITIVES.map((p) => NB201_OPS[p](b, `${name}.${p}`, cin, cout, stride, affine));
}

/**
 * AutoDL's FactorizedReduce (used by skip_connect when the shape changes): stride 2 is ReLU and
 * two 1×1 stride-2 convs (the second on the input shifted by one, zero-padded bottom/right so odd
 * sizes work), concatenated; stride 1 is a plain 1×1 conv; then BN.
 */
function nb201FactorizedReduce(b: ParamBuilder, name: string, cin: number, cout: number, stride: number, affine: boolean): Apply {
  const norm = bn(b, `${name}.bn`, cout, affine);
  if (stride === 1) {
    const c = conv(b, `${name}.conv`, 1, cin, cout, 1, 0, !affine);
    return (x, ctx) => norm(c(x, ctx), ctx);
  }
  const half = Math.floor(cout / 2);
  const c1 = conv(b, `${name}.conv1`, 1, cin, half, 2, 0, !affine);
  const c2 = conv(b, `${name}.conv2`, 1, cin, cout - half, 2, 0, !affine);
  return (x, ctx) => {
    const h = tf.relu(x);
    const [, H, W] = h.shape;
    const shifted = tf.slice(tf.pad(h, [[0, 0], [0, 1], [0, 1], [0, 0]]), [0, 1, 1, 0], [-1, H, W, -1]);
    return norm(tf.concat([c1(h, ctx), c2(shifted, ctx)], 3), ctx);
  };
}
