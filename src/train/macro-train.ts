/**
 * Training of a macro-space network (src/nets/macro-net.ts): Adam on softmax cross-entropy, the
 * shared epoch runner (log.csv, a checkpoint after every epoch, resume, progress and abort hooks),
 * then the model saved for the browser (model/model.json) with its normalisation.
 */
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { BatchLoader } from '../data/loader';
import type { Dataset } from '../data/types';
import { buildMacroNet } from '../nets/macro-net';
import { saveModel } from '../nets/network-io';
import type { MacroGenotype } from '../space/macro-space';
import { macroToKey } from '../space/macro-space';
import { disposeAll, loadCheckpoint, saveCheckpoint } from './checkpoint';
import { evaluate, type EvalResult } from './evaluate';
import { AverageMeter } from './metrics';
import { epochProgress, prepareRunDir, runEpochs } from './runner';

/** Adam at 1e-3 (Kingma & Ba's default, also Keras's and AutoKeras's); batch 64. */
export const MACRO_TRAIN_DEFAULTS = { epochs: 5, batchSize: 64, lr: 1e-3, augment: true };

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
  model: tf.LayersModel;
  /** Figures on the dataset's test split (for a search's candidate: its held-out part). */
  test: EvalResult;
  params: number;
  modelDir: string;
}

const CHECKPOINT = 'checkpoint';

function trainStep(model: tf.LayersModel, opt: tf.Optimizer, vars: tf.Variable[], x: tf.Tensor, y: tf.Tensor, numClasses: number): tf.Scalar[] {
  return tf.tidy(() => {
    let correct: tf.Scalar | null = null;
    const loss = opt.minimize(() => {
      const logits = model.apply(x, { training: true }) as tf.Tensor;
      correct = tf.keep(tf.sum(tf.cast(tf.equal(tf.argMax(logits, -1), tf.cast(y, 'int32')), 'float32'))) as tf.Scalar;
      return tf.losses.softmaxCrossEntropy(tf.oneHot(tf.cast(y, 'int32') as tf.Tensor1D, numClasses), logits);
    }, true, vars) as tf.Scalar;
    return [loss, correct as unknown as tf.Scalar];
  });
}

/** Trains (or resumes) the genotype's network on `data.train` and evaluates it on `data.test`. */
export async function trainMacro(data: Dataset, o: MacroTrainOptions): Promise<MacroTrainResult> {
  prepareRunDir(o.runDir, o.resume, CHECKPOINT);
  const model = buildMacroNet(o.genotype, data.shape, data.numClasses, o.seed);
  const opt = tf.train.adam(o.lr);
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const loader = new BatchLoader(data, 'train', null, { batchSize: o.batchSize, seed: o.seed, augment: o.augment ? { crop: 4, flip: true } : undefined });
  const weights = () => Object.fromEntries(model.weights.map((w) => [w.originalName, w.read()]));
  try {
    await runEpochs({
      runDir: o.runDir,
      columns: ['epoch', 'train_loss', 'train_acc', 'seconds'],
      epochs: o.epochs,
      resume: o.resume,
      log: o.log,
      runEpoch: async (epoch) => {
        loader.seek(epoch, 0);
        const loss = new AverageMeter();
        const acc = new AverageMeter();
        const bar = epochProgress(`epoch ${epoch + 1}/${o.epochs}`, loader.batchesPerEpoch);
        let step = 0;
        try {
          for (const b of loader.epochBatches()) {
            const n = b.y.shape[0];
            const [l, c] = trainStep(model, opt, vars, b.x, b.y, data.numClasses);
            tf.dispose([b.x, b.y]);
            const [lv, cv] = [(await l.data())[0], (await c.data())[0]];
            tf.dispose([l, c]);
            loss.update(lv, n);
            acc.update(cv / n, n);
            bar.update(++step, { loss: loss.avg, acc: acc.avg });
            await new Promise((resolve) => setImmediate(resolve)); // let an abort and the bar through
          }
        } finally {
          bar.stop();
        }
        return { train_loss: Number(loss.avg.toPrecision(6)), train_acc: Number(acc.avg.toPrecision(6)) };
      },
      save: async (epoch) => {
        const slots = await opt.getWeights();
        await saveCheckpoint(path.join(o.runDir, CHECKPOINT), { ...weights(), ...Object.fromEntries(slots.map((s) => [`optimizer/${s.name}`, s.tensor])) }, { nextEpoch: epoch + 1, genotype: macroToKey(o.genotype) });
        // The iteration count is a fresh scalar; the moments are the optimiser's own variables.
        slots.filter((s) => s.name === 'iter').forEach((s) => s.tensor.dispose());
      },
      restore: async () => {
        const ck = loadCheckpoint<{ nextEpoch: number }>(path.join(o.runDir, CHECKPOINT));
        if (!ck) return null;
        for (const w of model.weights) w.write(ck.tensors[w.originalName]);
        const slots = Object.entries(ck.tensors).filter(([k]) => k.startsWith('optimizer/')).map(([k, t]) => ({ name: k.slice('optimizer/'.length), tensor: t }));
        if (slots.length > 0) await opt.setWeights(slots);
        disposeAll(ck.tensors);
        return ck.state.nextEpoch;
      },
    });
    const test = await evaluate(model, new BatchLoader(data, 'test', null, { batchSize: 256, seed: 0, shuffle: false }).epochBatches(), data.numClasses, data.classNames);
    const modelDir = path.join(o.runDir, 'model');
    await saveModel(model, modelDir, { tfnas: { genotype: macroToKey(o.genotype), space: 'macro', mean: data.mean, std: data.std, classNames: data.classNames, dataset: data.name } });
    return { model, test, params: model.countParams(), modelDir };
  } catch (e) {
    model.dispose();
    throw e;
  } finally {
    opt.dispose();
  }
}
