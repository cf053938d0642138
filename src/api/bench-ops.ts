/**
 * `benchOps(options)`: what `tfnas bench ops` measures, as a library call: forward+backward time
 * of each DARTS candidate op and of one softmax-mixed edge, built as the supernet builds them.
 */
import * as tf from '@tensorflow/tfjs';
import { badArgument } from '../io/errors';
import { BACKEND_OPTION, JSON_OPTION } from '../cli/common';
import { checks, CONFIG_OPTION, type OptionSpecs, type Values } from '../cli/options';
import { logOf, readApiOptions, startApiBackend, type ApiOptions, type RunControls } from './options';
import { BenchOptions, BenchResult, BenchSubject, benchSubjects, PreparedSubject } from '../backend/op-bench';
import { DARTS_PRIMITIVES } from '../space/primitives';
import { DARTS_OPS, dartsMixedOps } from '../ops/darts-ops';
import { Apply, OpContext, ParamBuilder } from '../ops/context';
import { buildEdge, initAlpha, mixedNode } from '../nets/supernet';
import { Rng } from '../space/rng';

/** The mixed edge's name in the table: all eight ops weighted by softmax(α), as in the supernet. */
export const MIXED_EDGE = 'mixed_edge';
export const BENCH_OP_NAMES = [...DARTS_PRIMITIVES, MIXED_EDGE];

/** Every option of `tfnas bench ops` (see options.ts). */
export const BENCH_OPS_OPTIONS = {
  batch: { type: 'number', default: 32, check: checks.int(1), describe: 'batch size' },
  channels: { type: 'number', default: 16, check: checks.int(1), describe: 'channels C (DARTS search: 16 in the first cells)' },
  size: { type: 'number', default: 32, check: checks.int(1), describe: 'input height and width' },
  stride: { type: 'number', default: 1, choices: [1, 2], describe: '1: normal-cell edge, 2: reduction-cell edge' },
  repeats: { type: 'number', default: 5, check: checks.int(1), describe: 'timed steps per op; the median is reported' },
  warmup: { type: 'number', default: 2, check: checks.int(0), describe: 'untimed steps per op first' },
  seed: { type: 'number', default: 0, check: checks.int(0), describe: 'seed of the weights and the input' },
  recompute: { type: 'boolean', default: true, describe: 'mixed edge with gradient checkpointing, as DARTS search (--no-recompute: keep the forward)' },
  ops: { type: 'strings', default: BENCH_OP_NAMES, defaultDescription: 'all eight and mixed_edge', choices: BENCH_OP_NAMES, describe: 'ops to time' },
  ...JSON_OPTION,
  ...BACKEND_OPTION,
  ...CONFIG_OPTION,
} as const satisfies OptionSpecs;

type Args = Values<typeof BENCH_OPS_OPTIONS>;

type Build = (b: ParamBuilder, rng: Rng) => { apply: Apply; extra: tf.Variable[] };

/** Builds parameters with a seeded builder; the op runs in training mode (batch statistics), as in search. */
function prepare(seed: number, recompute: boolean, build: Build): PreparedSubject {
  const rng = new Rng(seed);
  const b = new ParamBuilder(rng);
  const { apply, extra } = build(b, rng);
  const ctx: OpContext = { training: true, w: b.params, buffers: b.buffers, bnUpdates: null, recompute: recompute ? 'edges' : 'none' };
  return {
    forward: (x) => apply(x, ctx),
    params: [...Object.values(b.params), ...extra],
    dispose: () => tf.dispose([...Object.values(b.params), ...Object.values(b.buffers), ...extra]),
  };
}

/**
 * Each DARTS candidate op (quark0/darts OPS, affine=False as inside the supernet) and one mixed edge
 * (model_search.py MixedOp: Σ softmax(α)_k · op_k(x), `none` skipped), built as the supernet builds
 * it. `recompute` is the supernet's gradient checkpointing of edges (nets/supernet-edge.ts), on by
 * default in DARTS search; it only affects the mixed edge.
 */
export function dartsBenchSubjects(channels: number, stride: number, seed: number, recompute = true): BenchSubject[] {
  const ops: BenchSubject[] = DARTS_PRIMITIVES.map((p) => ({
    name: p,
    setup: () => prepare(seed, recompute, (b) => ({ apply: DARTS_OPS[p](b, p, channels, stride, false).apply, extra: [] })),
  }));
  const mixed: BenchSubject = {
    name: MIXED_EDGE,
    setup: () =>
      prepare(seed, recompute, (b, rng) => {
        const edge = buildEdge(b, () => dartsMixedOps(b, 'edge', channels, stride));
        // One edge's α row as a vector (a [1, 8] matrix would be unstacked along an axis of size 1,
        // which tfjs 4.22 cannot differentiate: its engine hands Unpack's gradient a lone tensor).
        const alpha = tf.tidy(() => {
          const initial = initAlpha(rng, 1, edge.ops.length);
          const v = tf.variable(tf.reshape(initial, [edge.ops.length]));
          initial.dispose();
          return v;
        });
        return { apply: (x, ctx) => mixedNode([x], [edge], [tf.softmax(alpha) as tf.Tensor1D], ctx), extra: [alpha] };
      }),
  };
  return [...ops, mixed];
}

export function formatOpTable(rows: BenchResult[]): string {
  const lines = [`${'op'.padEnd(14)} ${'median ms'.padStart(10)} ${'min ms'.padStart(9)} ${'max ms'.padStart(9)}  output`];
  for (const r of rows) {
    const cells = [r.medianMs, r.minMs, r.maxMs].map((v, i) => v.toFixed(1).padStart(i === 0 ? 10 : 9));
    lines.push(`${r.name.padEnd(14)} ${cells.join(' ')}  ${r.outShape.join('×')}`);
  }
  return lines.join('\n');
}

function checkArgs(a: Args): BenchOptions & { stride: number; ops: string[] } {
  const { batch, channels, size, repeats, warmup, seed, stride } = a;
  const opts = { batch, channels, size, repeats, warmup, seed, stride, ops: [...new Set(a.ops)] };
  if (opts.stride === 2 && (opts.channels % 2 !== 0 || opts.size % 2 !== 0)) {
    // FactorizedReduce (skip_connect at stride 2) halves the channels per branch and needs an even size.
    badArgument('channels/--size', 'even values with --stride 2', `${opts.channels}/${opts.size}`);
  }
  return opts;
}

export interface BenchOpsResult {
  backend: string;
  batch: number;
  channels: number;
  size: number;
  stride: number;
  repeats: number;
  warmup: number;
  seed: number;
  recompute: boolean;
  ops: BenchResult[];
  /** The table as printed. */
  text: string;
}

/** Times each chosen op (median of `repeats` after `warmup`); `log` gets one line per op. */
export async function benchOps(options: ApiOptions<typeof BENCH_OPS_OPTIONS> & Pick<RunControls, 'log'> = {}): Promise<BenchOpsResult> {
  const { values: argv } = readApiOptions(options as Record<string, unknown>, BENCH_OPS_OPTIONS, 'bench ops');
  const opts = checkArgs(argv);
  const log = logOf(options);
  const backend = await startApiBackend(argv.backend, log);
  const subjects = dartsBenchSubjects(opts.channels, opts.stride, opts.seed, argv.recompute).filter((s) => opts.ops.includes(s.name));
  const rows = await benchSubjects(subjects, opts, (r, i) => log(`  ${i + 1}/${subjects.length} ${r.name}: ${r.medianMs.toFixed(1)} ms`));
  const round = (v: number) => Math.round(v * 1000) / 1000;
  const ops = rows.map((r) => ({ ...r, medianMs: round(r.medianMs), minMs: round(r.minMs), maxMs: round(r.maxMs) }));
  const { batch, channels, size, stride, repeats, warmup, seed } = opts;
  return { backend, batch, channels, size, stride, repeats, warmup, seed, recompute: argv.recompute, ops, text: formatOpTable(rows) };
}
