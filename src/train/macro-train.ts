/**
 * Training of a macro-space network (src/nets/macro-net.ts) on the functional stack retraining
 * uses: batchGradients (softmax cross-entropy, batch statistics, dropout), the PyTorch-semantics
 * Adam of optim.ts, the shared epoch runner (log.csv, a checkpoint after every epoch holding the
 * weights, the BatchNorm running statistics and Adam's moments and step count; resume, progress
 * and abort hooks), then the standard-layers twin saved for the browser (model/model.json) with
 * its normalisation.
 */
import * as path from 'path';
import type * as tf from '@tensorflow/tfjs';
import { BatchLoader } from '../data/loader';
import { mixSeed } from '../data/split';
import type { Dataset } from '../data/types';
import { buildMacroNet, disposeMacroNet, type MacroNetwork } from '../nets/macro-net';
import { macroInferenceModel } from '../nets/macro-net-export';
import { saveModel } from '../nets/network-io';
import { countParams } from '../nets/supernet';
import type { MacroGenotype } from '../space/macro-space';
import { macroToKey } from '../space/macro-space';
import { saveCheckpoint } from './checkpoint';
import { evaluate, type EvalResult } from './evaluate';
import { loadNetworkState, networkStateTensors, restoreCheckpoint } from './net-state';
import { Adam } from './optim';
import { applyBatch, batchGradients, type StepResult } from './retrain-step';
import { epochProgress, prepareRunDir, runEpochs, runTrainSteps } from './runner';

/** Adam at 1e-3 (Kingma & Ba's default, also Keras's and AutoKeras's); batch 64. */
export const MACRO_TRAIN_DEFAULTS = { epochs: 5, batchSize: 64, lr: 1e-3, augment: true };

/** Adam's β1, β2 (Kingma & Ba) and ε = 1e-7 (Keras's and tf.train.adam's, which the baseline was measured with). */
const ADAM = { beta1: 0.9, beta2: 0.999, eps: 1e-7, weightDecay: 0 };

export interface MacroTrainOptions {
  genotype: MacroGenotype;
  epochs: number;
  batchSize: number;
  lr: number;
  /** Random crop (pad 4) and horizontal flip. */
  augment: boolean;
  seed: number;
  runDir: string;
  resume: boolean;
  log?: (line: string) => void;
}

export interface MacroTrainResult {
  /** The trained functional network (the caller disposes it: disposeMacroNet). */
  model: MacroNetwork;
  /** Figures on the dataset's test split (for a search's candidate: its held-out part). */
  test: EvalResult;
  params: number;
  modelDir: string;
}

const CHECKPOINT = 'checkpoint';

interface MacroCheckpointState {
  /** The epoch the checkpoint was taken after. */
  epoch: number;
  /** Adam's step count (its bias correction depends on it). */
  adamSteps: number;
  fingerprint: Record<string, unknown>;
}

/** The network and its Adam: one step, checkpoint tensors, restore (trainMacro's; scripts/bench-train.ts times its step). */
export class MacroTrainer {
  readonly net: MacroNetwork;
  readonly adam: Adam;

  constructor(data: Pick<Dataset, 'shape' | 'numClasses'>, private readonly o: Pick<MacroTrainOptions, 'genotype' | 'lr' | 'seed'>) {
    this.net = buildMacroNet(o.genotype, { inputShape: data.shape, numClasses: data.numClasses, seed: o.seed });
    this.adam = new Adam(this.net.weights, ADAM);
  }

  /** One Adam step on a batch (batch statistics, dropout); host numbers back. */
  async step(x: tf.Tensor, y: tf.Tensor, epoch: number, step: number): Promise<StepResult> {
    // Dropout's mask is a function of (seed, epoch, step): a resumed run draws an uninterrupted one's.
    const dropPath = { rate: this.o.genotype.dropout, seed: mixSeed(this.o.seed, 0xd7), epoch, step };
    const r = batchGradients(this.net, x as tf.Tensor4D, y, { auxWeight: 0, recompute: 'none', dropPath });
    return applyBatch(this.net, r, x.shape[0] as number, (grads) => this.adam.step(grads, this.o.lr), epoch, step);
  }

  async save(dir: string, epoch: number, fingerprint: Record<string, unknown>): Promise<void> {
    const state: MacroCheckpointState = { epoch, adamSteps: this.adam.steps, fingerprint };
    await saveCheckpoint(dir, { ...networkStateTensors(this.net), ...this.adam.state() }, state);
  }

  restore(dir: string, fingerprint: Record<string, unknown>): MacroCheckpointState | null {
    return restoreCheckpoint<MacroCheckpointState>(dir, fingerprint, (tensors, state, source) => {
      loadNetworkState(this.net, tensors, source);
      this.adam.loadState(tensors, state.adamSteps);
    });
  }

  dispose(): void {
    this.adam.dispose();
    disposeMacroNet(this.net);
  }
}

/** What must not change between a checkpoint and a resumed run. */
function fingerprint(data: Dataset, o: MacroTrainOptions): Record<string, unknown> {
  return { genotype: macroToKey(o.genotype), dataset: data.name, trainCount: data.train.count, batchSize: o.batchSize, lr: o.lr, augment: o.augment, seed: o.seed };
}

async function trainEpoch(t: MacroTrainer, loader: BatchLoader, epoch: number, epochs: number): Promise<{ train_loss: number; train_acc: number }> {
  loader.seek(epoch, 0);
  const bar = epochProgress(`epoch ${epoch + 1}/${epochs}`, loader.batchesPerEpoch);
  const { loss, acc } = await runTrainSteps(loader.epochBatches(), bar, (b, step) => t.step(b.x, b.y, epoch, step)).finally(() => bar.stop());
  return { train_loss: Number(loss.avg.toPrecision(6)), train_acc: Number(acc.avg.toPrecision(6)) };
}

/** Trains (or resumes) the genotype's network on `data.train` and evaluates it on `data.test`. */
export async function trainMacro(data: Dataset, o: MacroTrainOptions): Promise<MacroTrainResult> {
  prepareRunDir(o.runDir, o.resume, CHECKPOINT);
  const t = new MacroTrainer(data, o);
  const ckptDir = path.join(o.runDir, CHECKPOINT);
  const fp = fingerprint(data, o);
  const loader = new BatchLoader(data, 'train', null, { batchSize: o.batchSize, seed: o.seed, augment: o.augment ? { crop: 4, flip: true } : undefined });
  try {
    await runEpochs({
      runDir: o.runDir,
      columns: ['epoch', 'train_loss', 'train_acc', 'seconds'],
      epochs: o.epochs,
      resume: o.resume,
      log: o.log,
      runEpoch: (epoch) => trainEpoch(t, loader, epoch, o.epochs),
      save: (epoch) => t.save(ckptDir, epoch, fp),
      restore: async () => {
        const s = t.restore(ckptDir, fp);
        return s ? s.epoch + 1 : null;
      },
    });
    const test = await evaluate(t.net.predict, new BatchLoader(data, 'test', null, { batchSize: 256, seed: 0, shuffle: false }).epochBatches(), data.numClasses, data.classNames);
    const modelDir = path.join(o.runDir, 'model');
    const inference = macroInferenceModel(t.net);
    try {
      await saveModel(inference, modelDir, { tfnas: { genotype: macroToKey(o.genotype), space: 'macro', mean: data.mean, std: data.std, classNames: data.classNames, dataset: data.name } });
    } finally {
      inference.dispose();
    }
    t.adam.dispose();
    return { model: t.net, test, params: countParams(t.net.weights), modelDir };
  } catch (e) {
    t.dispose();
    throw e;
  }
}
