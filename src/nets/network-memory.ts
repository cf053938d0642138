import * as os from 'os';
import { activeBackend } from '../backend';
import { fusedKernelsActive } from '../ops/fused';
import type { DartsGenotype } from '../space/genotype-types';
import type { NetworkConfig } from './network';
import { cellWeight, memoryBudget, RecomputeChoice, RecomputeSetting } from './supernet-memory';

/**
 * `--recompute auto` for the discrete network (the supernet's rule, supernet-memory.ts): `none`
 * when a training step without recomputation fits the backend's memory, else `cells`. The
 * estimate scales with the cell's ops: bytes per batch image, channel and pixel of the first
 * cell's resolution, per non-identity edge of the genotype, weighted by cell as the supernet's.
 */

/**
 * Peak tensor bytes of one training step with `recompute none` (tf.profile on wasm, DARTS_V2 with
 * auxiliary head and drop-path, 32 px) per batch·C·H·W·cell weight·(edges + 2): 70.5 at batch 16,
 * C 8, 5 cells; 69.8 at batch 16, C 16, 5 cells; 66.2 at batch 32, C 16, 8 cells; 66 at batch 64,
 * C 16, 8 cells. Rounded up with a margin.
 */
const BYTES_PER_UNIT = 80;
const UNFUSED_FACTOR = 2;

/** Estimated peak tensor bytes of one training step of the network with `recompute none`. */
export function networkActivationBytes(g: DartsGenotype, cfg: NetworkConfig, batch: number, fused = true): number {
  const edges = Math.max(g.normal.length, g.reduce.length) + 2; // + the two preprocessing ops
  const [h, w] = cfg.inputShape;
  return BYTES_PER_UNIT * batch * cfg.C * h * w * edges * cellWeight('darts', cfg.layers) * (fused ? 1 : UNFUSED_FACTOR);
}

export function resolveNetworkRecompute(setting: RecomputeSetting, g: DartsGenotype, cfg: NetworkConfig, batch: number): RecomputeChoice {
  const estimateBytes = networkActivationBytes(g, cfg, batch, fusedKernelsActive());
  const budgetBytes = memoryBudget(activeBackend() ?? 'cpu', os.totalmem());
  if (setting !== 'auto') return { mode: setting, setting, estimateBytes, budgetBytes };
  return { mode: budgetBytes !== null && estimateBytes <= budgetBytes ? 'none' : 'cells', setting, estimateBytes, budgetBytes };
}
