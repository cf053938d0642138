/**
 * `npm run bench:train -- --macro plain,bn-sep-skip [--steps 10 --batch 64 --backend wasm]`:
 * median seconds per training step of a macro-space network (forward, backward, Adam, with the
 * loss and accuracy read back, as trainMacro runs it) on random 32×32×3 CIFAR-shaped batches.
 */
import * as tf from '@tensorflow/tfjs';
import { countParams } from '../src/nets/supernet';
import { MACRO_PLAIN_CNN, macroFromKey, macroToKey, type MacroGenotype } from '../src/space/macro-space';
import { MacroTrainer } from '../src/train/macro-train';

/** The genotypes by name: the seed example's plain CNN, and one with BatchNorm, separable convs and skips (projections too). */
export const MACRO_BENCH: Record<string, MacroGenotype> = {
  plain: MACRO_PLAIN_CNN,
  'bn-sep-skip': macroFromKey('sep3-32+,sep3-32+/max sep5-64+,conv3-64+/max bn=1 drop=0.25 dense=128'),
};

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

export async function benchMacro(name: string, steps: number, batch: number): Promise<Record<string, unknown>> {
  const genotype = MACRO_BENCH[name] ?? macroFromKey(name);
  const trainer = new MacroTrainer({ shape: [32, 32, 3], numClasses: 10 }, { genotype, lr: 1e-3, seed: 0 });
  const x = tf.randomNormal([batch, 32, 32, 3], 0, 1, 'float32', 1);
  const y = tf.randomUniform([batch], 0, 10, 'int32', 2);
  try {
    await trainer.step(x, y, 0, 0); // warm-up: kernel setup, Adam's moments
    const times: number[] = [];
    for (let s = 1; s <= steps; s++) {
      const t0 = process.hrtime.bigint();
      await trainer.step(x, y, 0, s);
      times.push(Number(process.hrtime.bigint() - t0) / 1e9);
    }
    return {
      macro: name,
      genotype: macroToKey(genotype),
      batch,
      params: countParams(trainer.net.weights),
      median_step_seconds: Number(median(times).toFixed(4)),
      step_seconds: times.map((t) => Number(t.toFixed(4))),
    };
  } finally {
    tf.dispose([x, y]);
    trainer.dispose();
  }
}
