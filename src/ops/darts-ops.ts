import { DARTS_PRIMITIVES, DartsOp } from '../space/primitives';
import { Op, ParamBuilder, sequence } from './context';
import { bn, dilConv, factorizedReduce, identity, pool3x3, sepConv, zero } from './layers';

/**
 * DARTS candidate ops (quark0/darts cnn/operations.py OPS), as a registry `name → factory`.
 * A factory creates the op's parameters under `name` in the builder and returns the op.
 * `affine` is false inside the supernet (BN without γ/β during search).
 */
export type DartsOpFactory = (b: ParamBuilder, name: string, C: number, stride: number, affine: boolean) => Op;

export const DARTS_OPS: Record<DartsOp, DartsOpFactory> = {
  none: (_b, _n, _C, stride) => ({ apply: zero(stride), zero: true }),
  max_pool_3x3: (_b, _n, _C, stride) => ({ apply: pool3x3('max', stride) }),
  avg_pool_3x3: (_b, _n, _C, stride) => ({ apply: pool3x3('avg', stride) }),
  skip_connect: (b, name, C, stride, affine) => (stride === 1 ? { apply: identity } : factorizedReduce(b, name, C, C, affine)),
  sep_conv_3x3: (b, name, C, stride, affine) => sepConv(b, name, C, C, 3, stride, 1, affine),
  sep_conv_5x5: (b, name, C, stride, affine) => sepConv(b, name, C, C, 5, stride, 2, affine),
  dil_conv_3x3: (b, name, C, stride, affine) => dilConv(b, name, C, C, 3, stride, 2, 2, affine),
  dil_conv_5x5: (b, name, C, stride, affine) => dilConv(b, name, C, C, 5, stride, 4, 2, affine),
};

/**
 * The ops of one supernet edge (model_search.py MixedOp): every primitive, in PRIMITIVES order,
 * with BN (affine=False) appended to the pools so their output scale matches the other ops'.
 */
export function dartsMixedOps(b: ParamBuilder, name: string, C: number, stride: number): Op[] {
  return DARTS_PRIMITIVES.map((p) => {
    const op = DARTS_OPS[p](b, `${name}.${p}`, C, stride, false);
    if (!p.includes('pool')) return op;
    return { apply: sequence(op.apply, bn(b, `${name}.${p}.bn`, C, false)) };
  });
}
