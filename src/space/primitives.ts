/**
 * Candidate operations of the two search spaces, in the order of their reference implementations
 * (DARTS: quark0/darts genotypes.py PRIMITIVES; NAS-Bench-201: Dong & Yang, ICLR 2020). The order
 * matters: it is the column order of α and of the one-hot encodings.
 */
export const DARTS_PRIMITIVES = [
  'none',
  'max_pool_3x3',
  'avg_pool_3x3',
  'skip_connect',
  'sep_conv_3x3',
  'sep_conv_5x5',
  'dil_conv_3x3',
  'dil_conv_5x5',
] as const;
export type DartsOp = (typeof DARTS_PRIMITIVES)[number];

export const NB201_PRIMITIVES = ['none', 'skip_connect', 'nor_conv_1x1', 'nor_conv_3x3', 'avg_pool_3x3'] as const;
export type Nb201Op = (typeof NB201_PRIMITIVES)[number];

/** DARTS cell: 2 input nodes, 4 intermediate nodes; node i (0-based among intermediates) has 2 + i incoming edges. */
export const DARTS_STEPS = 4;
export const DARTS_EDGES = 14;

/** NAS-Bench-201 cell: 4 nodes, edge j→i for every j < i, in the order (1←0), (2←0), (2←1), (3←0), (3←1), (3←2). */
export const NB201_NODES = 4;
export const NB201_EDGES = 6;
