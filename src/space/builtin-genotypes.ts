/**
 * Published DARTS-space cells, usable by name (`--genotype DARTS_V2`). The op lists are data copied
 * from the authors' code, in their edge order:
 * - DARTS_V1 (first order), DARTS_V2 (second order): Liu et al., ICLR 2019, quark0/darts cnn/genotypes.py
 *   (commit f276dd3); the repository's `DARTS` is an alias of DARTS_V2.
 * - PC_DARTS (searched on CIFAR-10), PC_DARTS_IMAGENET (searched on ImageNet): Xu et al., ICLR 2020,
 *   yuhuixu1993/PC-DARTS genotypes.py (`PC_DARTS_cifar`, `PC_DARTS_image`; its `PCDARTS` = the CIFAR cell).
 * - PDARTS: Chen et al., ICCV 2019, chenxin061/pdarts genotypes.py.
 * NASNet and AmoebaNet from the same files are not included: they use ops outside the DARTS search
 * space (sep_conv_7x7, conv_7x1_1x7) and five-node cells with partial concats.
 */
import type { DartsGenotype, GenotypeEdge } from './genotype-types';

const CONCAT = [2, 3, 4, 5];

function cell(normal: GenotypeEdge[], reduce: GenotypeEdge[]): DartsGenotype {
  return { normal, normal_concat: [...CONCAT], reduce, reduce_concat: [...CONCAT] };
}

const TABLE: Record<string, DartsGenotype> = {
  DARTS_V1: cell(
    [['sep_conv_3x3', 1], ['sep_conv_3x3', 0], ['skip_connect', 0], ['sep_conv_3x3', 1],
     ['skip_connect', 0], ['sep_conv_3x3', 1], ['sep_conv_3x3', 0], ['skip_connect', 2]],
    [['max_pool_3x3', 0], ['max_pool_3x3', 1], ['skip_connect', 2], ['max_pool_3x3', 0],
     ['max_pool_3x3', 0], ['skip_connect', 2], ['skip_connect', 2], ['avg_pool_3x3', 0]],
  ),
  DARTS_V2: cell(
    [['sep_conv_3x3', 0], ['sep_conv_3x3', 1], ['sep_conv_3x3', 0], ['sep_conv_3x3', 1],
     ['sep_conv_3x3', 1], ['skip_connect', 0], ['skip_connect', 0], ['dil_conv_3x3', 2]],
    [['max_pool_3x3', 0], ['max_pool_3x3', 1], ['skip_connect', 2], ['max_pool_3x3', 1],
     ['max_pool_3x3', 0], ['skip_connect', 2], ['skip_connect', 2], ['max_pool_3x3', 1]],
  ),
  PC_DARTS: cell(
    [['sep_conv_3x3', 1], ['skip_connect', 0], ['sep_conv_3x3', 0], ['dil_conv_3x3', 1],
     ['sep_conv_5x5', 0], ['sep_conv_3x3', 1], ['avg_pool_3x3', 0], ['dil_conv_3x3', 1]],
    [['sep_conv_5x5', 1], ['max_pool_3x3', 0], ['sep_conv_5x5', 1], ['sep_conv_5x5', 2],
     ['sep_conv_3x3', 0], ['sep_conv_3x3', 3], ['sep_conv_3x3', 1], ['sep_conv_3x3', 2]],
  ),
  PC_DARTS_IMAGENET: cell(
    [['skip_connect', 1], ['sep_conv_3x3', 0], ['sep_conv_3x3', 0], ['skip_connect', 1],
     ['sep_conv_3x3', 1], ['sep_conv_3x3', 3], ['sep_conv_3x3', 1], ['dil_conv_5x5', 4]],
    [['sep_conv_3x3', 0], ['skip_connect', 1], ['dil_conv_5x5', 2], ['max_pool_3x3', 1],
     ['sep_conv_3x3', 2], ['sep_conv_3x3', 1], ['sep_conv_5x5', 0], ['sep_conv_3x3', 3]],
  ),
  PDARTS: cell(
    [['skip_connect', 0], ['dil_conv_3x3', 1], ['skip_connect', 0], ['sep_conv_3x3', 1],
     ['sep_conv_3x3', 1], ['sep_conv_3x3', 3], ['sep_conv_3x3', 0], ['dil_conv_5x5', 4]],
    [['avg_pool_3x3', 0], ['sep_conv_5x5', 1], ['sep_conv_3x3', 0], ['dil_conv_5x5', 2],
     ['max_pool_3x3', 0], ['dil_conv_3x3', 1], ['dil_conv_3x3', 1], ['dil_conv_5x5', 3]],
  ),
};

/** Other spellings used by the reference repositories (`DARTS = DARTS_V2`, `PCDARTS = PC_DARTS_cifar`). */
const ALIASES: Record<string, string> = {
  DARTS: 'DARTS_V2',
  PCDARTS: 'PC_DARTS',
  PC_DARTS_CIFAR: 'PC_DARTS',
  PC_DARTS_IMAGE: 'PC_DARTS_IMAGENET',
  P_DARTS: 'PDARTS',
};

/** The names of the built-in genotypes, in the order they are listed to users. */
export const BUILTIN_GENOTYPE_NAMES: readonly string[] = Object.keys(TABLE);

/**
 * Looks a built-in genotype up by name, case-insensitively and with the reference aliases
 * (e.g. `darts` → DARTS_V2). Returns a fresh copy (callers may mutate it), or undefined.
 */
export function builtinGenotype(name: string): DartsGenotype | undefined {
  const key = name.trim().toUpperCase().replace(/-/g, '_');
  const g = TABLE[ALIASES[key] ?? key];
  return g && (JSON.parse(JSON.stringify(g)) as DartsGenotype);
}

/** The canonical name for a built-in genotype name or alias, or undefined. */
export function builtinGenotypeName(name: string): string | undefined {
  const key = name.trim().toUpperCase().replace(/-/g, '_');
  const canonical = ALIASES[key] ?? key;
  return canonical in TABLE ? canonical : undefined;
}
