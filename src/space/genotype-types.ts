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

/**
 * A NAS-Bench-101 cell (Ying et al., ICML 2019): an upper-triangular 0/1 adjacency matrix over V ≤ 7
 * vertices (vertex 0 the input, V-1 the output) and one op per vertex (`input`, V-2 op names,
 * `output`), as the official `ModelSpec(matrix, ops)`. It may hold vertices that are on no
 * input→output path; pruning removes them.
 */
export interface Nb101Genotype {
  matrix: number[][];
  ops: string[];
}
