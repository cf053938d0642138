import type * as tf from '@tensorflow/tfjs';
import type { Exchange, SharedAreas } from './shared';

/**
 * One replica of a data-parallel computation, living in a worker thread: it computes on its shard
 * and exchanges gradients with the other replicas through `Exchange.sum` (inside its own calls, so
 * the caller's algorithm — e.g. DARTS's second-order step — runs unchanged on every replica).
 */
export interface Replica {
  /** A command on this replica's shard (`inputs` are disposed by the caller); returns JSON. */
  call(cmd: string, args: unknown, inputs: Record<string, tf.Tensor>): unknown;
  /** Everything a checkpoint needs (the caller only reads the tensors). */
  getState(): { tensors: Record<string, tf.Tensor>; meta: unknown };
  setState(tensors: Record<string, tf.Tensor>, meta: unknown): void;
}

/** What a replica module (named to the pool by its file) exports. */
export interface ReplicaModule {
  createReplica(config: unknown, exchange: Exchange): Replica | Promise<Replica>;
}

/** A worker's `workerData`. */
export interface WorkerInit {
  module: string;
  config: unknown;
  backend: string;
  rank: number;
  size: number;
  areas: SharedAreas;
}
