/**
 * The wasm-vs-cpu table of DARTS candidate ops (issue 2): forward+backward median per op and for
 * one softmax-mixed edge, on each backend in turn, printed as a markdown table with the speed-up.
 *
 *   npx ts-node --transpile-only scripts/bench-ops.ts [--batch 32] [--channels 16] [--size 32]
 *       [--stride 1] [--repeats 5] [--cpu-repeats 1] [--backends wasm,cpu]
 *
 * The cpu backend takes seconds per op at the default shape, so it gets its own (smaller) repeat
 * count, and no warm-up (its kernels allocate nothing that a first call would amortise).
 */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { useBackend } from '../src/backend';
import { BenchResult, benchSubjects } from '../src/backend/op-bench';
import { dartsBenchSubjects } from '../src/api/bench-ops';

async function run(): Promise<void> {
  const a = yargs(hideBin(process.argv))
    .strict()
    .option('batch', { type: 'number', default: 32 })
    .option('channels', { type: 'number', default: 16 })
    .option('size', { type: 'number', default: 32 })
    .option('stride', { type: 'number', default: 1, choices: [1, 2] })
    .option('repeats', { type: 'number', default: 5 })
    .option('cpu-repeats', { type: 'number', default: 1 })
    .option('backends', { type: 'string', default: 'wasm,cpu' })
    .parseSync();
  const backends = a.backends.split(',');
  const results: Record<string, BenchResult[]> = {};
  for (const name of backends) {
    const used = await useBackend(name);
    const cpu = used === 'cpu';
    const opts = { batch: a.batch, channels: a.channels, size: a.size, repeats: cpu ? a['cpu-repeats'] : a.repeats, warmup: cpu ? 0 : 2, seed: 0 };
    process.stderr.write(`${used}: ${opts.repeats} timed step(s) per op after ${opts.warmup} warm-up\n`);
    results[used] = await benchSubjects(dartsBenchSubjects(a.channels, a.stride, 0), opts, (r) =>
      process.stderr.write(`  ${r.name}: ${r.medianMs.toFixed(1)} ms\n`),
    );
  }
  console.log(`Forward+backward, batch ${a.batch}, ${a.size}×${a.size}, ${a.channels} channels, stride ${a.stride} (median ms)\n`);
  const names = Object.keys(results);
  console.log(`| op | ${names.join(' | ')} |${names.length === 2 ? ` ${names[1]}/${names[0]} |` : ''}`);
  console.log(`|---|${names.map(() => '---:|').join('')}${names.length === 2 ? '---:|' : ''}`);
  results[names[0]].forEach((r, i) => {
    const cells = names.map((n) => results[n][i].medianMs.toFixed(1));
    const ratio = names.length === 2 ? ` ${(results[names[1]][i].medianMs / r.medianMs).toFixed(0)}x |` : '';
    console.log(`| ${r.name} | ${cells.join(' | ')} |${ratio}`);
  });
}

run().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
