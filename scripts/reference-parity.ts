/**
 * Writes what `scripts/reference-parity.py` compares against quark0/darts (a developer's check,
 * not a test: it needs PyTorch and a checkout of the reference):
 *
 *   npx ts-node --transpile-only scripts/reference-parity.ts OUT.json
 *   /usr/bin/python3 scripts/reference-parity.py --reference DIR OUT.json
 *
 * DARTS_V2 at C=8, 5 cells, 10 classes, auxiliary head, batch 4 (wasm): the weights and BatchNorm
 * statistics after two brief training steps, an input batch, the eval-mode logits, and one
 * training step's loss (with 0.4·auxiliary loss, no drop-path), gradients and updated statistics.
 */
import * as fs from 'fs';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../src/backend';
import { buildNetwork } from '../src/nets/network';
import { trainBriefly } from '../src/nets/test-utils/train';
import { applyBnUpdates } from '../src/ops/context';
import { builtinGenotype } from '../src/space/builtin-genotypes';
import type { DartsGenotype } from '../src/space/genotype-types';
import { batchGradients } from '../src/train/retrain-step';

const data = async (t: tf.Tensor) => Array.from(await t.data());
const values = async (m: Record<string, tf.Tensor>) => Object.fromEntries(await Promise.all(Object.entries(m).map(async ([k, v]) => [k, { shape: v.shape, data: await data(v) }])));

async function main(): Promise<void> {
  await useBackend(process.env.BACKEND ?? 'wasm', () => undefined);
  const net = buildNetwork(builtinGenotype('DARTS_V2') as DartsGenotype, { C: 8, layers: 5, numClasses: 10, auxiliary: true, inputShape: [32, 32, 3], seed: 1 });
  const x = tf.randomNormal([4, 32, 32, 3], 0, 1, 'float32', 5) as tf.Tensor4D;
  trainBriefly(net, x, 2);
  const y = tf.tensor1d([3, 1, 4, 1], 'int32');
  const out: Record<string, unknown> = { weights: await values(net.weights), buffers: await values(net.buffers), x: { shape: x.shape, data: await data(x) }, y: await data(y) };
  out.logits_eval = await data(net.predict(x));
  const r = batchGradients(net, x, y, { auxWeight: 0.4, recompute: 'cells', dropPath: null });
  out.loss_train = (await data(r.loss))[0];
  out.grads = await values(r.grads);
  applyBnUpdates(net.buffers, r.bnUpdates);
  out.buffers_after = await values(net.buffers);
  fs.writeFileSync(process.argv[2], JSON.stringify(out));
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exitCode = 1;
});
