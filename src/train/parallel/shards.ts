/** How a data-parallel step splits a batch among the replicas (pure). */
export interface Shard {
  begin: number;
  size: number;
  share: number;
}

/**
 * Contiguous shards, the first n mod N one sample larger. A replica left without samples (a batch
 * smaller than N) computes on the batch's first sample with share 0, so that it still takes part
 * in every exchange and contributes nothing.
 */
export function shards(n: number, workers: number): Shard[] {
  const base = Math.floor(n / workers);
  const extra = n % workers;
  const out: Shard[] = [];
  let begin = 0;
  for (let r = 0; r < workers; r++) {
    const size = base + (r < extra ? 1 : 0);
    out.push(size > 0 ? { begin, size, share: size / n } : { begin: 0, size: 1, share: 0 });
    begin += size;
  }
  return out;
}

/**
 * The step shape `--recompute auto` must fit into one backend's memory: on wasm every worker has a
 * heap of its own (4 GiB each) holding one shard's activations, so the shard's batch; elsewhere the
 * replicas share one memory, so the whole batch.
 */
export function replicaBatch(batch: number, backend: string, workers: number): number {
  return backend === 'wasm' && workers > 1 ? Math.ceil(batch / workers) : batch;
}
