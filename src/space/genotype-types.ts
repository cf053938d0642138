/**
 * The canonical genotype forms, shared by derivation, the searchers, the discrete network and
 * export. Plain data (JSON-serialisable), no tensors.
 */

/** One chosen edge of a DARTS cell: the op and the index of its input node (0, 1 = the two previous cells). */
export type GenotypeEdge = [op: string, input: number];

/**
 * A DARTS-space genotype, as the reference code's namedtuple: two edges per intermediate node, in
 * node order (edges 2k and 2k+1 feed intermediate node k, i.e. node k+2), and the concatenated nodes.
 */
export interface DartsGenotype {
  normal: GenotypeEdge[];
  normal_concat: number[];
  reduce: GenotypeEdge[];
  reduce_concat: number[];
}

/** A NAS-Bench-201 cell: one op per edge, in the order (1←0), (2←0), (2←1), (3←0), (3←1), (3←2). */
export interface Nb201Genotype {
  ops: string[];
}
