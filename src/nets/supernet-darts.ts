import * as tf from '@tensorflow/tfjs';
import { OpContext, ParamBuilder, Weights, releasing, sequence } from '../ops/context';
import { bn, conv, factorizedReduce, identity, reluConvBn } from '../ops/layers';
import { dartsMixedOps } from '../ops/darts-ops';
import { DARTS_PRIMITIVES, DARTS_STEPS } from '../space/primitives';
import { Rng } from '../space/rng';
import { AlphaLayout, Edge, Supernet, SupernetConfig, buildEdge, classifierHead, countParams, disposeVars, initAlpha } from './supernet';
import { tracked } from './supernet-edge';
import { CellParts, cellOutput, cellStates, checkpointedCell } from './supernet-darts-cell';
import { MixingConfig, MixingState, PLAIN_MIXING, betaName, checkMixing, edgeExtras, mixRows, opChannels } from './supernet-mixing';

/**
 * The DARTS search network (quark0/darts cnn/model_search.py Network): a 3×3 conv stem to 3·C
 * channels with BN, `layers` cells with reduction cells at 1/3 and 2/3 of the depth (channels
 * doubled, stride 2 on the edges from the two inputs), global average pooling and a linear layer.
 */
const MULTIPLIER = 4; // cell output = concat of the last 4 nodes
const STEM_MULTIPLIER = 3;

interface SearchCell {
  reduction: boolean;
  /** softmax(α) of the cell type, [edges, ops]. */
  forward(s0: tf.Tensor4D, s1: tf.Tensor4D, w: tf.Tensor2D, ctx: OpContext): tf.Tensor4D;
  /** GDAS: the op each edge computes in the next forward (null: all). */
  select(selected: number[] | null): void;
}

interface CellMixing {
  cfg: MixingConfig;
  state: MixingState;
}

/** Edge labels in the reference's order: node 2 from inputs 0, 1; node 3 from 0, 1, 2; … */
export function dartsEdgeLabels(): string[] {
  const out: string[] = [];
  for (let i = 0; i < DARTS_STEPS; i++) for (let j = 0; j < i + 2; j++) out.push(`${i + 2}<-${j}`);
  return out;
}

function buildCell(b: ParamBuilder, name: string, cpp: number, cp: number, C: number, reduction: boolean, reductionPrev: boolean, mix: CellMixing): SearchCell {
  const parts = buildCellParts(b, name, cpp, cp, C, reduction, reductionPrev, mix);
  return {
    reduction,
    select: (selected) => parts.edges.forEach((e, i) => (e.selected = selected ? selected[i] : null)),
    forward(s0, s1, w, ctx) {
      // One checkpointed node per cell that keeps its node states: see supernet-darts-cell.ts.
      if (ctx.recompute === 'cells' && ctx.training) return checkpointedCell(parts, s0, s1, w, ctx);
      return cellOutput(parts, cellStates(parts, s0, s1, tf.unstack(w) as tf.Tensor1D[], ctx));
    },
  };
}

function buildCellParts(b: ParamBuilder, name: string, cpp: number, cp: number, C: number, reduction: boolean, reductionPrev: boolean, mix: CellMixing): CellParts {
  const pre0 = tracked(b, () => (reductionPrev ? factorizedReduce(b, `${name}.pre0`, cpp, C, false) : reluConvBn(b, `${name}.pre0`, cpp, C, 1, 1, 0, false)).apply);
  const pre1 = tracked(b, () => reluConvBn(b, `${name}.pre1`, cp, C, 1, 1, 0, false).apply);
  const edges: Edge[] = [];
  for (let i = 0; i < DARTS_STEPS; i++) {
    for (let j = 0; j < i + 2; j++) {
      const stride = reduction && j < 2 ? 2 : 1;
      const edgeName = `${name}.edge${edges.length}`;
      // DARTS-'s auxiliary skip: identity, or a factorized reduce (BN without affine) on stride-2 edges.
      const aux = (pb: ParamBuilder) => (stride === 1 ? { apply: identity } : factorizedReduce(pb, `${edgeName}.aux`, C, C, false));
      const ops = () => dartsMixedOps(b, edgeName, opChannels(mix.cfg, C), stride);
      edges.push(buildEdge(b, ops, (pb) => edgeExtras(mix.cfg, stride, mix.state, mix.cfg.auxSkip ? aux(pb) : undefined)));
    }
  }
  return { pre0: pre0.value, pre1: pre1.value, pre0Params: pre0.params, pre1Params: pre1.params, edges, steps: DARTS_STEPS, multiplier: MULTIPLIER };
}

export function createDartsSupernet(cfg: SupernetConfig): Supernet {
  if (cfg.layers < 3) throw new Error(`the DARTS supernet needs at least 3 cells (two are reduction cells), got ${cfg.layers}`);
  const mixing = cfg.mixing ?? PLAIN_MIXING;
  checkMixing(mixing, cfg.C);
  const state: MixingState = { auxScale: mixing.auxSkip ? 1 : 0, sampler: null };
  const rng = new Rng(cfg.seed);
  const b = new ParamBuilder(new Rng(rng.fork()));
  let cCurr = STEM_MULTIPLIER * cfg.C;
  const stem = sequence(conv(b, 'stem.conv', 3, cfg.inChannels, cCurr, 1, 1), bn(b, 'stem.bn', cCurr, true));
  let [cpp, cp] = [cCurr, cCurr];
  cCurr = cfg.C;
  const cells: SearchCell[] = [];
  let reductionPrev = false;
  for (let i = 0; i < cfg.layers; i++) {
    const reduction = i === Math.floor(cfg.layers / 3) || i === Math.floor((2 * cfg.layers) / 3);
    if (reduction) cCurr *= 2;
    cells.push(buildCell(b, `cells.${i}`, cpp, cp, cCurr, reduction, reductionPrev, { cfg: mixing, state }));
    reductionPrev = reduction;
    [cpp, cp] = [cp, MULTIPLIER * cCurr];
  }
  const head = classifierHead(b, cp, cfg.numClasses);
  const alphaRng = new Rng(rng.fork());
  const edges = dartsEdgeLabels();
  const alphas: Record<string, tf.Variable> = {
    normal: initAlpha(alphaRng, edges.length, DARTS_PRIMITIVES.length),
    reduce: initAlpha(alphaRng, edges.length, DARTS_PRIMITIVES.length),
  };
  // PC-DARTS's betas_normal / betas_reduce: 1e-3·N(0, 1), as α.
  if (mixing.edgeNorm) for (const n of ['normal', 'reduce']) alphas[betaName(n)] = initAlpha(alphaRng, edges.length, 1);
  const alphaLayout: AlphaLayout[] = ['normal', 'reduce'].map((name) => ({ name, edges, ops: DARTS_PRIMITIVES }));

  return {
    space: 'darts',
    numClasses: cfg.numClasses,
    weights: b.params,
    buffers: b.buffers,
    alphas,
    alphaLayout,
    mixing,
    mixState: state,
    forward(x: tf.Tensor4D, ctx: OpContext, a: Weights): tf.Tensor2D {
      const normal = mixRows(a, 'normal', edges, mixing, state, ctx.training);
      const reduce = mixRows(a, 'reduce', edges, mixing, state, ctx.training);
      let s0 = stem(x, ctx);
      let s1 = s0;
      for (const cell of cells) {
        const m = cell.reduction ? reduce : normal;
        cell.select(m.selected);
        [s0, s1] = [s1, releasing(() => cell.forward(s0, s1, m.w, ctx))];
      }
      return head(s1, ctx);
    },
    paramCount: () => countParams(b.params),
    dispose: () => disposeVars(b.params, b.buffers, alphas),
  };
}
