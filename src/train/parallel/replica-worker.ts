/**
 * The entry point of a data-parallel worker thread (see pool.ts): starts its own TensorFlow.js
 * backend, builds a replica from the module the pool names, and answers the pool's calls. Inputs
 * and state arrive through the shared areas; replies carry only small JSON results and layouts.
 */
import { parentPort, workerData } from 'worker_threads';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../../backend';
import { Entry, Exchange, SharedAreas, readTensors, writeTensors } from './shared';
import type { Replica, ReplicaModule, WorkerInit } from './types';

const init = workerData as WorkerInit;
const port = parentPort!;
let replica: Replica | null = null;

function fail(id: number, e: unknown): void {
  const err = e as Error;
  port.postMessage({ type: 'error', id, name: err?.name ?? 'Error', message: err?.message ?? String(e), stack: err?.stack ?? '' });
}

async function start(): Promise<void> {
  await useBackend(init.backend, () => undefined);
  const mod = require(init.module) as ReplicaModule;
  const exchange = new Exchange(init.areas, init.rank, init.size);
  replica = await mod.createReplica(init.config, exchange);
}

interface Call {
  id: number;
  kind: 'call' | 'getState' | 'setState';
  cmd?: string;
  args?: unknown;
  layout?: Entry[];
  meta?: unknown;
}

function handle(msg: Call, areas: SharedAreas): unknown {
  const r = replica!;
  if (msg.kind === 'getState') {
    const { tensors, meta } = r.getState();
    const layout = writeTensors(new Float32Array(areas.state), tensors);
    return { layout, meta };
  }
  const area = new Float32Array(msg.kind === 'setState' ? areas.state : areas.inputs[init.rank]);
  const inputs = readTensors(area, msg.layout ?? []);
  try {
    if (msg.kind === 'setState') {
      r.setState(inputs, msg.meta);
      return null;
    }
    return r.call(msg.cmd!, msg.args, inputs);
  } finally {
    tf.dispose(Object.values(inputs));
  }
}

const ready = start();
ready.then(
  () => port.postMessage({ type: 'ready' }),
  (e) => fail(-1, e),
);

port.on('message', (msg: Call) => {
  ready
    .then(() => port.postMessage({ type: 'done', id: msg.id, result: handle(msg, init.areas) }))
    .catch((e) => fail(msg.id, e));
});
