/**
 * Where the time of one retraining step goes, by kernel (a developer's tool; the benchmark is
 * bench-train.ts):
 *
 *   npx ts-node --transpile-only scripts/profile-train.ts [--backend wasm] [--batch 64] [--C 16]
 *       [--layers 8] [--recompute cells] [--top 30]
 *
 * DARTS_V2 with the auxiliary head and drop-path 0.2, as `tfnas train`: times every kernel the
 * engine runs during one step (after a warm-up step) and prints calls and milliseconds per kernel
 * name, most expensive first (kernels that call others count once, under their own name), and the
 * time outside kernels (JavaScript: tape, closures, tensor bookkeeping).
 */
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../src/backend';
import type { Recompute } from '../src/ops/context';
import { builtinGenotype } from '../src/space/builtin-genotypes';
import type { DartsGenotype } from '../src/space/genotype-types';
import { Trainer } from '../src/train/retrain-trainer';

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : def;
}

type RunKernel = (name: string, inputs: tf.NamedTensorMap, attrs: tf.NamedAttrMap) => unknown;

/** Wraps the engine's runKernel; `on(name, ms)` sees every top-level kernel call. */
function instrument(on: (name: string, ms: number) => void): () => void {
  const engine = tf.engine() as unknown as { runKernel: RunKernel };
  const original = engine.runKernel.bind(engine);
  let depth = 0;
  engine.runKernel = (name, inputs, attrs) => {
    const t0 = performance.now();
    depth++;
    try {
      return original(name, inputs, attrs);
    } finally {
      depth--;
      if (depth === 0) on(name, performance.now() - t0);
    }
  };
  return () => (engine.runKernel = original);
}

async function main(): Promise<void> {
  const backend = await useBackend(arg('backend', 'wasm'), () => undefined);
  const [batch, C, layers] = ['batch', 'C', 'layers'].map((k, i) => Number(arg(k, ['64', '16', '8'][i])));
  const recompute = arg('recompute', 'cells') as Recompute;
  const genotype = builtinGenotype('DARTS_V2') as DartsGenotype;
  const trainer = new Trainer(genotype, { C, layers, numClasses: 10, auxiliary: true, inputShape: [32, 32, 3], seed: 0 }, {
    momentum: 0.9, weightDecay: 3e-4, gradClip: 5, auxWeight: 0.4, recompute,
  });
  trainer.dropPath = { rate: 0.2, seed: 0, epoch: 0, step: 0 };
  const x = tf.randomNormal([batch, 32, 32, 3]);
  const y = tf.randomUniform([batch], 0, 10, 'int32');
  await trainer.step(x, y, 0.025, 0, 0);
  const stats = new Map<string, { calls: number; ms: number }>();
  const restore = instrument((name, ms) => {
    const s = stats.get(name) ?? { calls: 0, ms: 0 };
    s.calls++;
    s.ms += ms;
    stats.set(name, s);
  });
  const t0 = performance.now();
  await trainer.step(x, y, 0.025, 0, 1);
  const total = performance.now() - t0;
  restore();
  const rows = [...stats.entries()].sort((a, b) => b[1].ms - a[1].ms);
  const inKernels = rows.reduce((s, [, r]) => s + r.ms, 0);
  const calls = rows.reduce((s, [, r]) => s + r.calls, 0);
  console.log(`${backend}: batch ${batch}, C ${C}, ${layers} cells, recompute ${recompute}: step ${total.toFixed(0)} ms, ${calls} kernel calls, ${inKernels.toFixed(0)} ms in kernels, ${(total - inKernels).toFixed(0)} ms outside`);
  for (const [name, r] of rows.slice(0, Number(arg('top', '30')))) console.log(`${name.padEnd(38)} ${String(r.calls).padStart(7)} ${r.ms.toFixed(0).padStart(8)} ms`);
  tf.dispose([x, y]);
  trainer.dispose();
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exitCode = 1;
});
