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

const values = (m: Record<string, tf.Tensor>) => Object.fromEntries(Object.entries(m).map(([k, v]) => [k, { shape: v.shape, data: Array.from(v.dataSync()) }]));

async function main(): Promise<void> {
  await useBackend(process.env.BACKEND ?? 'wasm', () => undefined);
  const net = buildNetwork(builtinGenotype('DARTS_V2') as DartsGenotype, { C: 8, layers: 5, numClasses: 10, auxiliary: true, inputShape: [32, 32, 3], seed: 1 });
  const x = tf.randomNormal([4, 32, 32, 3], 0, 1, 'float32', 5) as tf.Tensor4D;
  trainBriefly(net, x, 2);
  const y = tf.tensor1d([3, 1, 4, 1], 'int32');
  const out: Record<string, unknown> = { weights: values(net.weights), buffers: values(net.buffers), x: { shape: x.shape, data: Array.from(x.dataSync()) }, y: Array.from(y.dataSync()) };
  out.logits_eval = Array.from(net.predict(x).dataSync());
  const r = batchGradients(net, x, y, { auxWeight: 0.4, recompute: 'cells', dropPath: null });
  out.loss_train = r.loss.dataSync()[0];
  out.grads = values(r.grads);
  applyBnUpdates(net.buffers, r.bnUpdates);
  out.buffers_after = values(net.buffers);
  fs.writeFileSync(process.argv[2], JSON.stringify(out));
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exitCode = 1;
});
