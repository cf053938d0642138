import * as path from 'path';
import { Worker } from 'worker_threads';
import * as tf from '@tensorflow/tfjs';
import { Entry, SharedAreas, abortAll, allocateAreas, readTensors, writeTensors } from './shared';
import type { WorkerInit } from './types';

/**
 * N worker threads, each with its own TensorFlow.js backend and a replica (types.ts) built by the
 * module the pool names. The main thread only hands out shards and collects small results; the
 * replicas exchange gradients among themselves through shared memory (shared.ts). A replica that
 * throws, or a worker that exits, fails the pool at once: the others are woken from the exchange
 * and terminated, and the pending call rejects with the failing worker's error — never a hang.
 */
export interface PoolOptions {
  workers: number;
  /** Absolute path of the replica module (its `createReplica` runs in every worker). */
  module: string;
  /** JSON handed to `createReplica`. */
  config: unknown;
  backend: string;
  /** Floats of the largest set of tensors a replica sums in one exchange. */
  slotFloats: number;
  /** Floats of the largest shard a call hands one replica. */
  inputFloats: number;
  /** Floats of a replica's whole state. */
  stateFloats: number;
}

interface Pending {
  ranks: number[];
  results: unknown[];
  remaining: number;
  resolve: (r: unknown[]) => void;
  reject: (e: Error) => void;
}

/** How a worker thread starts: compiled JS directly; from TypeScript sources (tests, ts-node) through ts-node. */
function spawn(init: WorkerInit): Worker {
  const ext = path.extname(__filename);
  const entry = path.join(__dirname, `replica-worker${ext}`);
  if (ext !== '.ts') return new Worker(entry, { workerData: init });
  const boot = `require('ts-node').register({ transpileOnly: true }); require(${JSON.stringify(entry)});`;
  return new Worker(boot, { eval: true, workerData: init });
}

export class ReplicaPool {
  private readonly workers: Worker[] = [];
  private readonly areas: SharedAreas;
  private pending: Pending | null = null;
  private failure: Error | null = null;
  private closing = false;
  private nextId = 0;

  private constructor(readonly size: number, private readonly o: PoolOptions) {
    this.areas = allocateAreas(size, o.slotFloats, o.inputFloats, o.stateFloats);
  }

  /** Starts the workers and resolves once every replica is built. */
  static async start(o: PoolOptions): Promise<ReplicaPool> {
    const pool = new ReplicaPool(o.workers, o);
    const ready = pool.expect(Array.from({ length: o.workers }, (_, r) => r));
    for (let rank = 0; rank < o.workers; rank++) {
      const w = spawn({ module: o.module, config: o.config, backend: o.backend, rank, size: o.workers, areas: pool.areas });
      pool.workers.push(w);
      w.on('message', (m) => pool.onMessage(rank, m));
      w.on('error', (e) => pool.fail(rank, e));
      w.on('exit', (code) => pool.closing || pool.fail(rank, new Error(`exited with code ${code}`)));
    }
    try {
      await ready;
    } catch (e) {
      await pool.close();
      throw e;
    }
    return pool;
  }

  /**
   * Runs `cmd` on every replica with its arguments `args(rank)` and its shard `inputs(rank)` (the
   * pool disposes those tensors once copied). Resolves with the results by rank.
   */
  call(cmd: string, args: (rank: number) => unknown, inputs: (rank: number) => Record<string, tf.Tensor> = () => ({})): Promise<unknown[]> {
    return this.send((rank) => {
      const named = inputs(rank);
      try {
        return { kind: 'call', cmd, args: args(rank), layout: writeTensors(new Float32Array(this.areas.inputs[rank]), named) };
      } finally {
        tf.dispose(Object.values(named));
      }
    });
  }

  /** Makes every replica's state these tensors (weights, optimiser state…) and `meta`. */
  async setState(tensors: Record<string, tf.Tensor>, meta: unknown): Promise<void> {
    const layout = writeTensors(new Float32Array(this.areas.state), tensors);
    await this.send(() => ({ kind: 'setState', layout, meta }));
  }

  /** A replica's state (they are identical: replica 0's unless asked); the caller disposes the tensors. */
  async getState(rank = 0): Promise<{ tensors: Record<string, tf.Tensor>; meta: unknown }> {
    const [r] = (await this.send(() => ({ kind: 'getState' }), [rank])) as { layout: Entry[]; meta: unknown }[];
    return { tensors: readTensors(new Float32Array(this.areas.state), r.layout), meta: r.meta };
  }

  /** Stops every worker (idempotent). */
  async close(): Promise<void> {
    this.closing = true;
    abortAll(this.areas);
    await Promise.all(this.workers.map((w) => w.terminate().catch(() => undefined)));
  }

  /** The worker threads (tests stop one to check that the pool fails cleanly). */
  get threads(): readonly Worker[] {
    return this.workers;
  }

  private send(message: (rank: number) => object, ranks = this.workers.map((_, r) => r)): Promise<unknown[]> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.pending) return Promise.reject(new Error('ReplicaPool: one call at a time'));
    const id = this.nextId++;
    const done = this.expect(ranks);
    for (const rank of ranks) this.workers[rank].postMessage({ id, ...message(rank) });
    return done;
  }

  private expect(ranks = this.workers.map((_, r) => r)): Promise<unknown[]> {
    return new Promise((resolve, reject) => {
      this.pending = { ranks, results: new Array(ranks.length), remaining: ranks.length, resolve, reject };
    });
  }

  private onMessage(rank: number, m: { type: string; result?: unknown; name?: string; message?: string; stack?: string }): void {
    if (m.type === 'error') {
      const e = new Error(m.message);
      e.name = m.name ?? 'Error';
      e.stack = m.stack;
      this.fail(rank, e);
      return;
    }
    const p = this.pending;
    if (!p) return;
    p.results[p.ranks.indexOf(rank)] = m.type === 'done' ? m.result : null;
    if (--p.remaining === 0) {
      this.pending = null;
      p.resolve(p.results);
    }
  }

  /** The first failure ends the pool: wake the others from the exchange, stop them, reject the call. */
  private fail(rank: number, e: Error): void {
    if (this.failure || this.closing) return;
    const err = new Error(`data-parallel worker ${rank + 1} of ${this.size} failed: ${e.message}`);
    err.stack = `${err.message}\n${e.stack ?? ''}`;
    this.failure = err;
    void this.close();
    const p = this.pending;
    this.pending = null;
    p?.reject(err);
  }
}
