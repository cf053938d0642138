/**
 * `--evaluator supernet`: scores candidates with the shared weights of a supernet trained by
 * `tfnas search` (random search with weight sharing, Li & Talwalkar 2019). A candidate is the
 * supernet with one-hot architecture weights: its op on each chosen edge, `none` on every edge the
 * genotype does not use (the DARTS space). The signal is the accuracy (%) on the supernet run's
 * own architecture split of the training set (never the test set), with BatchNorm on batch
 * statistics: the running statistics belong to the mixture, not to any one sub-network (the
 * benchmark's weight-sharing baselines evaluate in train mode too, AutoDL-Projects valid_func).
 */
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { BatchLoader } from '../../data/loader';
import { searchSplit } from '../../data/split';
import type { Dataset } from '../../data/types';
import { readJson } from '../../io/atomic';
import { UsageError } from '../../io/errors';
import type { Supernet } from '../../nets/supernet';
import type { OpContext, Weights } from '../../ops/context';
import type { DartsGenotype, Nb201Genotype } from '../../space/genotype-types';
import type { Genotype, SpaceName } from '../../space/spaces';
import { NB201_EDGE_NODES } from '../../space/nb201-space';
import { loadCheckpoint, disposeAll } from '../../train/checkpoint';
import { readSavedConfig } from '../darts/files';
import { correctCount } from '../../train/metrics';
import type { DartsConfig } from '../darts/config';
import { buildSupernet } from '../darts/build';
import type { EvalResult, Evaluator } from './registry';

/** Held-out images scored per candidate by default (a supernet forward pass is not cheap). */
export const SUPERNET_VALID_LIMIT = 1000;
/** softmax over {0, -1e4} is exactly one-hot in float32. */
const OFF = -1e4;

/** The supernet run folder's settings and its trained weights, loaded into a fresh supernet. */
export function loadSupernetRun(runDir: string, numClasses: number, inChannels: number): { net: Supernet; config: DartsConfig } {
  const cfgFile = path.join(runDir, 'config.json');
  if (!fs.existsSync(cfgFile)) throw new UsageError(`--supernet: ${runDir} is not a tfnas search run folder (no config.json)`);
  const config = readSavedConfig(readJson<{ config: unknown }>(cfgFile).config);
  const ck = loadCheckpoint<unknown>(path.join(runDir, 'checkpoint'), '--supernet');
  if (!ck) throw new UsageError(`--supernet: ${runDir} has no checkpoint/ (has the search run at least one epoch?)`);
  const net = buildSupernet(config, numClasses, inChannels);
  try {
    for (const [group, vars] of Object.entries({ w: net.weights, buf: net.buffers })) {
      for (const [k, v] of Object.entries(vars)) {
        const t = ck.tensors[`${group}/${k}`];
        if (!t || t.shape.join(',') !== v.shape.join(',')) throw new UsageError(`--supernet: checkpoint tensor ${group}/${k} is missing or has another shape`);
        v.assign(t);
      }
    }
  } catch (e) {
    net.dispose();
    throw e;
  } finally {
    disposeAll(ck.tensors);
  }
  return { net, config };
}

/** One-hot α logits [edges, ops] per layout entry for a genotype. */
export function oneHotAlphas(net: Supernet, space: SpaceName, g: Genotype): Weights {
  const out: Weights = {};
  for (const layout of net.alphaLayout) {
    const rows = layout.edges.map(() => layout.ops.map(() => OFF));
    const set = (label: string, op: string) => {
      const r = layout.edges.indexOf(label);
      const c = layout.ops.indexOf(op);
      if (r < 0 || c < 0) throw new Error(`supernet has no edge ${label} / op ${op}`);
      rows[r] = layout.ops.map((_, k) => (k === c ? 0 : OFF));
    };
    if (space === 'nb201') {
      (g as Nb201Genotype).ops.forEach((op, e) => set(`${NB201_EDGE_NODES[e][0]}<-${NB201_EDGE_NODES[e][1]}`, op));
    } else {
      const edges = (g as DartsGenotype)[layout.name as 'normal' | 'reduce'];
      layout.edges.forEach((label) => set(label, 'none'));
      edges.forEach(([op, j], e) => set(`${Math.floor(e / 2) + 2}<-${j}`, op));
    }
    out[layout.name] = tf.tensor2d(rows);
  }
  return out;
}

export class SupernetEvaluator implements Evaluator {
  readonly name = 'supernet';
  private n = 0;
  private readonly indices: Int32Array;

  constructor(
    private readonly net: Supernet,
    private readonly config: DartsConfig,
    private readonly data: Dataset,
    private readonly runDir: string,
    validLimit: number = SUPERNET_VALID_LIMIT,
    private readonly batchSize = 128,
  ) {
    if (net.space !== config.space) throw new Error('supernet/config space mismatch');
    if (!Number.isInteger(validLimit) || validLimit < 1) throw new UsageError(`--supernet-valid-limit: expected a positive integer, got ${validLimit}`);
    this.indices = searchSplit(data.train.count, config.trainPortion, config.seed).arch.slice(0, validLimit);
  }

  get describe(): Record<string, string | number> {
    return { dataset: this.data.name, supernet: path.resolve(this.runDir), images: this.indices.length };
  }

  get queries(): number {
    return this.n;
  }

  async evaluate(g: Genotype): Promise<EvalResult> {
    this.n++;
    const alphas = oneHotAlphas(this.net, this.config.space, g);
    const loader = new BatchLoader(this.data, 'train', this.indices, { batchSize: this.batchSize, seed: 0, shuffle: false });
    let correct = 0;
    try {
      for (const b of loader.epochBatches()) {
        const c = tf.tidy(() => {
          const ctx: OpContext = { training: true, w: this.net.weights, buffers: this.net.buffers, bnUpdates: null };
          return correctCount(this.net.forward(b.x, ctx, alphas), b.y);
        });
        correct += (await c.data())[0];
        tf.dispose([c, b.x, b.y]);
        await new Promise((resolve) => setImmediate(resolve));
      }
    } finally {
      tf.dispose(Object.values(alphas));
    }
    return { signal: (100 * correct) / this.indices.length };
  }

  dispose(): void {
    this.net.dispose();
  }
}
