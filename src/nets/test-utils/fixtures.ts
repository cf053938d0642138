import type { DartsGenotype } from '../../space/genotype-types';
import type { NetworkConfig } from '../network';

/** Every op of the DARTS space, with stride-2 dilated convs, pools and FactorizedReduce in the reduce cell. */
export const ALL_OPS: DartsGenotype = {
  normal: [['sep_conv_3x3', 0], ['dil_conv_5x5', 1], ['skip_connect', 0], ['avg_pool_3x3', 2], ['max_pool_3x3', 1], ['sep_conv_5x5', 3], ['dil_conv_3x3', 2], ['skip_connect', 4]],
  normal_concat: [2, 3, 4, 5],
  reduce: [['dil_conv_3x3', 0], ['dil_conv_5x5', 1], ['skip_connect', 0], ['avg_pool_3x3', 1], ['max_pool_3x3', 0], ['sep_conv_3x3', 1], ['sep_conv_5x5', 2], ['skip_connect', 3]],
  reduce_concat: [2, 3, 4, 5],
};

/** A tiny configuration: 4 cells (reductions at 1 and 2), 16×16 inputs, auxiliary head and drop-path on. */
export const TINY: NetworkConfig = { C: 4, layers: 4, numClasses: 5, auxiliary: true, inputShape: [16, 16, 3], seed: 3 };

