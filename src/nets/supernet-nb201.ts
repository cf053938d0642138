import * as tf from '@tensorflow/tfjs';
import { Apply, OpContext, ParamBuilder, Weights, releasing, relu, sequence } from '../ops/context';
import { bn, conv, reluConvBn } from '../ops/layers';
import { nb201MixedOps } from '../ops/nb201-ops';
import { NB201_NODES, NB201_PRIMITIVES } from '../space/primitives';
import { Rng } from '../space/rng';
import { AlphaLayout, Supernet, SupernetConfig, buildEdge, classifierHead, countParams, disposeVars, initAlpha, mixedNode } from './supernet';
import { checkpointed, tracked } from './supernet-edge';
import { MixingConfig, MixingState, PLAIN_MIXING, betaName, checkMixing, edgeExtras, mixRows, opChannels } from './supernet-mixing';
import { identity } from '../ops/layers';

/**
 * The NAS-Bench-201 search network (AutoDL-Projects search_model_darts.py TinyNetworkDarts with
 * search_cells.py): a 3×3 conv stem to C channels with BN; three stages of N search cells (C, 2C,
 * 4C channels) joined by ResNet basic blocks with stride 2; BN + ReLU; global average pooling; a
 * linear layer. Every search cell shares one α matrix [6 edges, 5 ops]; candidate ops use BN
 * without affine parameters, the skeleton's own BNs are affine.
 */
export function nb201EdgeLabels(): string[] {
  const out: string[] = [];
  for (let i = 1; i < NB201_NODES; i++) for (let j = 0; j < i; j++) out.push(`${i}<-${j}`);
  return out;
}

/** The search cell: node i = Σ_{j<i} mixed(node j); the output is the last node. w = softmax(α), [6, 5]. */
type SearchCell = (x: tf.Tensor4D, w: tf.Tensor2D, ctx: OpContext, selected: number[] | null) => tf.Tensor4D;

function searchCell(b: ParamBuilder, name: string, C: number, mixing: MixingConfig, state: MixingState): SearchCell {
  const Cop = opChannels(mixing, C);
  // Every NB201 search edge has stride 1: DARTS-'s auxiliary op is the identity.
  const extras = () => edgeExtras(mixing, 1, state, mixing.auxSkip ? { apply: identity } : undefined);
  const { value: edges, params } = tracked(b, () => nb201EdgeLabels().map((_, e) => buildEdge(b, () => nb201MixedOps(b, `${name}.edge${e}`, Cop, Cop, 1, false), extras)));
  const cell = (x: tf.Tensor4D, w: tf.Tensor2D, ctx: OpContext): tf.Tensor4D => {
    const rows = tf.unstack(w) as tf.Tensor1D[];
    const nodes = [x];
    const relus: (tf.Tensor4D | undefined)[] = [];
    let offset = 0;
    for (let i = 1; i < NB201_NODES; i++) {
      nodes.push(mixedNode(nodes, edges.slice(offset, offset + i), rows.slice(offset, offset + i), ctx, relus));
      offset += i;
    }
    return nodes[nodes.length - 1];
  };
  // One checkpointed block per cell (of checkpointed edges) when recomputing: see supernet-edge.ts.
  return (x, w, ctx, selected) => {
    edges.forEach((e, i) => (e.selected = selected ? selected[i] : null));
    return ctx.recompute === 'cells' && ctx.training ? checkpointed(([h, m], c) => cell(h as tf.Tensor4D, m as tf.Tensor2D, c), [x, w], params, ctx) : cell(x, w, ctx);
  };
}

/** ResNetBasicblock with stride 2: two ReLU-Conv3×3-BN (affine) plus a 2×2 avg-pool + 1×1 conv shortcut. */
export function resnetReduction(b: ParamBuilder, name: string, cin: number, cout: number): Apply {
  const convA = reluConvBn(b, `${name}.conv_a`, cin, cout, 3, 2, 1, true).apply;
  const convB = reluConvBn(b, `${name}.conv_b`, cout, cout, 3, 1, 1, true).apply;
  const down = conv(b, `${name}.downsample`, 1, cin, cout, 1, 0);
  return (x, ctx) => tf.add(down(tf.avgPool(x, 2, 2, 'valid'), ctx), convB(convA(x, ctx), ctx));
}

export function createNb201Supernet(cfg: SupernetConfig): Supernet {
  if (cfg.layers < 1) throw new Error(`the NAS-Bench-201 supernet needs at least 1 cell per stage, got ${cfg.layers}`);
  const mixing = cfg.mixing ?? PLAIN_MIXING;
  checkMixing(mixing, cfg.C);
  const state: MixingState = { auxScale: mixing.auxSkip ? 1 : 0, sampler: null };
  const rng = new Rng(cfg.seed);
  const b = new ParamBuilder(new Rng(rng.fork()));
  const stem = sequence(conv(b, 'stem.conv', 3, cfg.inChannels, cfg.C, 1, 1), bn(b, 'stem.bn', cfg.C, true));
  type Block = { kind: 'cell'; f: SearchCell } | { kind: 'reduce'; f: Apply };
  const blocks: Block[] = [];
  let cPrev = cfg.C;
  [1, 2, 4].forEach((mult, stage) => {
    const C = cfg.C * mult;
    if (stage > 0) {
      blocks.push({ kind: 'reduce', f: resnetReduction(b, `cells.${blocks.length}`, cPrev, C) });
      cPrev = C;
    }
    for (let i = 0; i < cfg.layers; i++) blocks.push({ kind: 'cell', f: searchCell(b, `cells.${blocks.length}`, C, mixing, state) });
  });
  const lastact = sequence(bn(b, 'lastact.bn', cPrev, true), relu);
  const head = classifierHead(b, cPrev, cfg.numClasses);
  const edges = nb201EdgeLabels();
  const alphaRng = new Rng(rng.fork());
  const alphas: Record<string, tf.Variable> = { cell: initAlpha(alphaRng, edges.length, NB201_PRIMITIVES.length) };
  if (mixing.edgeNorm) alphas[betaName('cell')] = initAlpha(alphaRng, edges.length, 1);
  const alphaLayout: AlphaLayout[] = [{ name: 'cell', edges, ops: NB201_PRIMITIVES }];

  return {
    space: 'nb201',
    numClasses: cfg.numClasses,
    weights: b.params,
    buffers: b.buffers,
    alphas,
    alphaLayout,
    mixing,
    mixState: state,
    forward(x: tf.Tensor4D, ctx: OpContext, a: Weights): tf.Tensor2D {
      const { w, selected } = mixRows(a, 'cell', edges, mixing, state, ctx.training);
      let h = stem(x, ctx);
      for (const block of blocks) {
        const x = h;
        h = releasing(() => (block.kind === 'cell' ? block.f(x, w, ctx, selected) : block.f(x, ctx)));
      }
      return head(lastact(h, ctx), ctx);
    },
    paramCount: () => countParams(b.params),
    dispose: () => disposeVars(b.params, b.buffers, alphas),
  };
}
