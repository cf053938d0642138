/**
 * Where the time of one DARTS search step goes, by kernel (a developer's tool; the benchmark is
 * bench-search.ts):
 *
 *   npx ts-node --transpile-only scripts/profile-search.ts [--backend wasm] [--batch 32] [--C 8]
 *       [--layers 5] [--order 1] [--recompute cells] [--top 30] [--stacks KernelName]
 *
 * Times every kernel the engine runs during one step (after a warm-up step) and prints calls and
 * milliseconds per kernel name, most expensive first; kernels that call others inside count once,
 * under their own name. `--stacks Name` prints instead the call sites that run kernel `Name` most
 * often (to find where small kernels come from).
 */
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../src/backend';
import { SUPERNETS } from '../src/nets/supernet-registry';
import { DartsArchitect } from '../src/search/darts/architect';
import { DARTS_DEFAULTS } from '../src/search/darts/config';
import type { Recompute } from '../src/ops/context';

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : def;
}

type RunKernel = (name: string, inputs: tf.NamedTensorMap, attrs: tf.NamedAttrMap) => unknown;

/** Wraps the engine's runKernel; `on(name, ms)` sees every top-level kernel call. */
function instrument(on: (name: string, ms: number) => void): () => void {
  const engine = tf.engine() as unknown as { runKernel: RunKernel };
  const original = engine.runKernel.bind(engine);
  engine.runKernel = (name, inputs, attrs) => {
    const t0 = performance.now();
    const out = original(name, inputs, attrs);
    on(name, performance.now() - t0);
    return out;
  };
  return () => (engine.runKernel = original);
}

function callSite(): string {
  const lines = (new Error().stack ?? '').split('\n').slice(4, 11);
  return lines.map((l) => l.trim().replace(/^at /, '').replace(/\(.*node_modules\//, '(').replace(process.cwd() + '/', '')).join(' < ');
}

async function main(): Promise<void> {
  const backend = await useBackend(arg('backend', 'wasm'), () => undefined);
  const [batch, C, layers] = ['batch', 'C', 'layers'].map((k, i) => Number(arg(k, ['32', '8', '5'][i])));
  const order = Number(arg('order', '1')) as 1 | 2;
  const stacksOf = arg('stacks', '');
  const net = SUPERNETS.darts({ C, layers, numClasses: 10, inChannels: 3, seed: 0 });
  const arch = new DartsArchitect(net, { ...DARTS_DEFAULTS, order, recompute: arg('recompute', 'cells') as Recompute });
  const data = () => ({ x: tf.randomNormal([batch, 32, 32, 3]) as tf.Tensor4D, y: tf.randomUniform([batch], 0, 10, 'int32') as tf.Tensor1D });
  const [t, v] = [data(), data()];
  const step = async () => {
    const r = arch.step(t, v, DARTS_DEFAULTS.lr);
    await r.loss.data();
    tf.dispose([r.loss, r.correct]);
  };
  await step();
  const stats = new Map<string, { calls: number; ms: number }>();
  const restore = instrument((name, ms) => {
    const key = stacksOf ? (name === stacksOf ? callSite() : '') : name;
    if (!key) return;
    const s = stats.get(key) ?? { calls: 0, ms: 0 };
    s.calls++;
    s.ms += ms;
    stats.set(key, s);
  });
  const t0 = performance.now();
  await step();
  const total = performance.now() - t0;
  restore();
  const rows = [...stats.entries()].sort((a, b) => (stacksOf ? b[1].calls - a[1].calls : b[1].ms - a[1].ms));
  const inKernels = rows.reduce((s, [, r]) => s + r.ms, 0);
  const calls = rows.reduce((s, [, r]) => s + r.calls, 0);
  console.log(`${backend}: batch ${batch}, C ${C}, ${layers} cells, order ${order}: step ${total.toFixed(0)} ms, ${calls} kernel calls, ${inKernels.toFixed(0)} ms in kernels`);
  for (const [name, r] of rows.slice(0, Number(arg('top', stacksOf ? '8' : '30')))) {
    if (stacksOf) console.log(`${r.calls}× ${name}\n`);
    else console.log(`${name.padEnd(38)} ${String(r.calls).padStart(7)} ${r.ms.toFixed(0).padStart(8)} ms`);
  }
  arch.dispose();
  net.dispose();
  tf.dispose([t.x, t.y, v.x, v.y]);
}

main().catch((e) => {
  console.error(`profile-search: ${(e as Error).message}`);
  process.exit(1);
});
