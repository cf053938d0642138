/**
 * Where a candidate op can sit in a network of a search space: its input channels, input size and
 * stride. Pure data: the latency table is keyed by these, the predictor sums over them, and the
 * DARTS latency objective weights them by softmax(α). The networks are the discrete ones a
 * genotype is deployed as: DARTS NetworkCIFAR (quark0/darts cnn/model.py: reduction cells at
 * layers//3 and 2·layers//3, channels doubled there, stride 2 on the edges from the two inputs)
 * and the NAS-Bench-201 skeleton (three stages of N cells at C, 2C, 4C channels, sizes halved by a
 * residual block between stages).
 */
import { DARTS_PRIMITIVES, DARTS_STEPS, NB201_EDGES, NB201_PRIMITIVES } from '../space/primitives';

export type LatencySpace = 'darts' | 'nb201';

/** The network a latency table is measured for (batch 1: one image, as an app runs it). */
export interface LatencyNetwork {
  space: LatencySpace;
  /** Initial channels C. */
  channels: number;
  /** DARTS: total cells; NB201: cells per stage. */
  layers: number;
  /** Input height and width. */
  size: number;
  batch: number;
  numClasses: number;
}

export interface Position {
  channels: number;
  size: number;
  stride: 1 | 2;
}

/** One cell of the network: its type (the α matrix it uses) and the position of each of its edges. */
export interface CellPositions {
  alpha: string;
  edges: Position[];
}

export const SPACE_OPS: Record<LatencySpace, readonly string[]> = { darts: DARTS_PRIMITIVES, nb201: NB201_PRIMITIVES };

export const DEFAULT_NETWORK: Record<LatencySpace, Omit<LatencyNetwork, 'space'>> = {
  // The DARTS search network's shape (C 16, 8 cells) and NAS-Bench-201's (C 16, N 5), CIFAR inputs.
  darts: { channels: 16, layers: 8, size: 32, batch: 1, numClasses: 10 },
  nb201: { channels: 16, layers: 5, size: 32, batch: 1, numClasses: 10 },
};

export function positionKey(op: string, p: Position): string {
  return `${op}@c${p.channels}s${p.size}x${p.stride}`;
}

function dartsReductions(layers: number): number[] {
  return [...new Set([Math.floor(layers / 3), Math.floor((2 * layers) / 3)])];
}

/** DARTS: edge e of a cell feeds node 2+i from node j, in α-row order (i, then j < i + 2). */
export function dartsEdgeInputs(): number[] {
  const out: number[] = [];
  for (let i = 0; i < DARTS_STEPS; i++) for (let j = 0; j < i + 2; j++) out.push(j);
  return out;
}

/** Every cell of the network with the positions of its edges (α-row order). */
export function cellPositions(n: LatencyNetwork): CellPositions[] {
  if (n.space === 'nb201') {
    const out: CellPositions[] = [];
    for (let stage = 0; stage < 3; stage++) {
      const p: Position = { channels: n.channels * 2 ** stage, size: Math.ceil(n.size / 2 ** stage), stride: 1 };
      for (let i = 0; i < n.layers; i++) out.push({ alpha: 'cell', edges: Array.from({ length: NB201_EDGES }, () => p) });
    }
    return out;
  }
  const reductions = dartsReductions(n.layers);
  const inputs = dartsEdgeInputs();
  const out: CellPositions[] = [];
  let [C, size] = [n.channels, n.size];
  for (let i = 0; i < n.layers; i++) {
    const reduction = reductions.includes(i);
    if (!reduction) {
      out.push({ alpha: 'normal', edges: inputs.map(() => ({ channels: C, size, stride: 1 })) });
      continue;
    }
    C *= 2;
    const half = size / 2;
    out.push({ alpha: 'reduce', edges: inputs.map((j) => (j < 2 ? { channels: C, size, stride: 2 } : { channels: C, size: half, stride: 1 })) });
    size = half;
  }
  return out;
}

/** The distinct positions of a network, in order of first appearance. */
export function distinctPositions(n: LatencyNetwork): Position[] {
  const seen = new Map<string, Position>();
  for (const c of cellPositions(n)) for (const p of c.edges) seen.set(positionKey('', p), p);
  return [...seen.values()];
}

/** Checks the shape constraints of a network; returns what is wrong, or null. */
export function networkProblem(n: LatencyNetwork): string | null {
  if (n.space === 'darts') {
    if (n.layers < 3) return '--layers: at least 3 for the DARTS network (two are reduction cells)';
    if (n.size % 4 !== 0) return `--size: divisible by 4 for the DARTS network's two reduction cells, got ${n.size}`;
    if (n.channels % 2 !== 0) return `--init-channels: even for the DARTS network (FactorizedReduce), got ${n.channels}`;
  }
  return null;
}
