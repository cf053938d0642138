import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { CsvLog, Row } from '../io/csv';
import type { Dataset } from '../data/types';
import { BatchLoader, LoaderState, mixSeed, searchSplit } from '../data';
import { SUPERNETS } from '../nets/supernet-registry';
import type { Supernet } from '../nets/supernet';
import { cosineLr } from '../train/schedule';
import { saveCheckpoint, loadCheckpoint, disposeAll } from '../train/checkpoint';
import { AverageMeter } from '../train/metrics';
import { assertFinite, epochProgress, prepareRunDir, runEpochs } from '../train/runner';
import { DartsArchitect, StepResult } from './darts-architect';
import { DartsConfig, validateDartsConfig } from './darts-config';
import { ALPHA_COLUMNS, Derived, LOG_COLUMNS, alphaRows, alphaWeights, deriveFromNet, versions, writeConfig, writeGenotype } from './darts-files';

/**
 * One DARTS search run (train_search.py `main`): supernet, split of the training set into a
 * weights part and an architecture part, the epoch loop (shared runner: log.csv, checkpoint after
 * every epoch, resume, non-finite guard), alphas.csv and genotype.json after every epoch.
 */
export interface DartsRunOptions {
  out: string;
  resume: boolean;
  backend: string;
  /** Called after each epoch's checkpoint (tests use it to simulate a kill). */
  afterEpoch?: (epoch: number) => void;
  log?: (line: string) => void;
}

export interface DartsSummary {
  space: string;
  genotype: Derived['genotype'];
  /** The genotype's text form (for NB201: the benchmark's cell string). */
  text: string;
  cell?: string;
  out: string;
  epochs: number;
  params: number;
  final: Row | null;
}

const CHECKPOINT = 'checkpoint';

interface CheckpointState {
  nextEpoch: number;
  adamSteps: number;
  archLoader: LoaderState;
}

/** Builds the supernet for a configuration and dataset shape. */
export function buildSupernet(cfg: DartsConfig, numClasses: number, inChannels: number): Supernet {
  return SUPERNETS[cfg.space]({ C: cfg.initChannels, layers: cfg.layers, numClasses, inChannels, seed: cfg.seed });
}

/** Runs (or resumes) a search; resolves with the final summary. */
export async function runDartsSearchLoop(cfg: DartsConfig, data: Dataset, opts: DartsRunOptions): Promise<DartsSummary> {
  validateDartsConfig(cfg);
  prepareRunDir(opts.out, opts.resume, CHECKPOINT);
  const net = buildSupernet(cfg, data.numClasses, data.shape[2]);
  const arch = new DartsArchitect(net, cfg);
  try {
    writeConfig(opts.out, { config: cfg, backend: opts.backend, params: net.paramCount(), versions: versions(), started: new Date().toISOString() }, opts.resume);
    const split = searchSplit(data.train.count, cfg.trainPortion, cfg.seed);
    const augment = cfg.augment ? { crop: 4, flip: true } : undefined;
    const weightsLoader = new BatchLoader(data, 'train', split.weights, { batchSize: cfg.batchSize, seed: mixSeed(cfg.seed, 1), augment });
    const archLoader = new BatchLoader(data, 'train', split.arch, { batchSize: cfg.batchSize, seed: mixSeed(cfg.seed, 2), augment });
    const validIdx = cfg.validLimit === null ? split.arch : split.arch.slice(0, cfg.validLimit);
    const validLoader = new BatchLoader(data, 'train', validIdx, { batchSize: cfg.batchSize, seed: 0, shuffle: false });
    const alphaLog = new CsvLog(path.join(opts.out, 'alphas.csv'), ALPHA_COLUMNS);
    let last: Derived = deriveFromNet(net);
    let lastEpoch = -1;

    const runEpoch = async (epoch: number): Promise<Row> => {
      const lr = cosineLr(epoch, cfg.epochs, cfg.lr, cfg.lrMin);
      weightsLoader.seek(epoch, 0);
      const train = await trainEpoch(arch, weightsLoader, archLoader, lr, epoch, cfg);
      const valid = await evaluate(arch, validLoader);
      const weights = alphaWeights(net);
      last = deriveFromNet(net, weights);
      lastEpoch = epoch;
      alphaLog.append(...alphaRows(net, epoch, weights));
      writeGenotype(opts.out, cfg.space, last, epoch);
      return { lr: Number(lr.toPrecision(6)), train_loss: train.loss, train_acc: train.acc, valid_loss: valid.loss, valid_acc: valid.acc, genotype: last.text };
    };

    const save = async (epoch: number): Promise<void> => {
      const { tensors, adamSteps } = arch.state();
      const all: Record<string, tf.Tensor> = { ...tensors };
      for (const [group, vars] of Object.entries({ w: net.weights, buf: net.buffers, alpha: net.alphas })) {
        for (const [k, v] of Object.entries(vars)) all[`${group}/${k}`] = v;
      }
      const state: CheckpointState = { nextEpoch: epoch + 1, adamSteps, archLoader: archLoader.state };
      await saveCheckpoint(path.join(opts.out, CHECKPOINT), all, state);
      opts.afterEpoch?.(epoch);
    };

    const restore = async (): Promise<number | null> => {
      const ck = loadCheckpoint<CheckpointState>(path.join(opts.out, CHECKPOINT));
      if (!ck) {
        alphaLog.keepWhile(() => false);
        return null;
      }
      try {
        restoreTensors(net, ck.tensors);
        arch.loadState(ck.tensors, ck.state.adamSteps);
        archLoader.restore(ck.state.archLoader);
      } finally {
        disposeAll(ck.tensors);
      }
      alphaLog.load().keepWhile((r) => Number(r.epoch) < ck.state.nextEpoch);
      last = deriveFromNet(net);
      lastEpoch = ck.state.nextEpoch - 1;
      return ck.state.nextEpoch;
    };

    const rows = await runEpochs({ runDir: opts.out, columns: LOG_COLUMNS, epochs: cfg.epochs, resume: opts.resume, runEpoch, save, restore, log: opts.log });
    writeGenotype(opts.out, cfg.space, last, lastEpoch);
    return {
      space: cfg.space,
      genotype: last.genotype,
      text: last.text,
      ...(cfg.space === 'nb201' ? { cell: last.text } : {}),
      out: opts.out,
      epochs: cfg.epochs,
      params: net.paramCount(),
      final: rows.length > 0 ? rows[rows.length - 1] : null,
    };
  } finally {
    arch.dispose();
    net.dispose();
  }
}

/** Copies checkpointed weights, BN statistics and α into the live variables (shapes must match). */
function restoreTensors(net: Supernet, tensors: Record<string, tf.Tensor>): void {
  for (const [group, vars] of Object.entries({ w: net.weights, buf: net.buffers, alpha: net.alphas })) {
    for (const [k, v] of Object.entries(vars)) {
      const t = tensors[`${group}/${k}`];
      if (!t || t.shape.join(',') !== v.shape.join(',')) {
        throw new Error(`checkpoint does not match this supernet: ${group}/${k} ${t ? `has shape [${t.shape}]` : 'is missing'}, expected [${v.shape}]`);
      }
      v.assign(t);
    }
  }
}

interface EpochFigures {
  loss: number;
  acc: number;
}

/** Reads a step's loss and correct count with one download. */
async function readStep(r: StepResult): Promise<[number, number]> {
  const both = tf.stack([r.loss, r.correct]);
  const [loss, correct] = Array.from(await both.data());
  tf.dispose([both, r.loss, r.correct]);
  return [loss, correct];
}

async function trainEpoch(arch: DartsArchitect, weights: BatchLoader, archLoader: BatchLoader, lr: number, epoch: number, cfg: DartsConfig): Promise<EpochFigures> {
  const loss = new AverageMeter();
  const acc = new AverageMeter();
  const bar = epochProgress(`search ${epoch + 1}/${cfg.epochs}`, weights.batchesPerEpoch);
  let step = 0;
  try {
    for (const t of weights.epochBatches()) {
      const a = archLoader.next();
      let r: StepResult;
      try {
        r = arch.step(t, a, lr);
      } finally {
        tf.dispose([t.x, t.y, a.x, a.y]);
      }
      const n = t.y.shape[0];
      const [l, c] = await readStep(r);
      assertFinite('train loss', l, epoch, step);
      loss.update(l, n);
      acc.update(c / n, n);
      step++;
      bar.update(step, { loss: loss.avg, acc: acc.avg });
    }
  } finally {
    bar.stop();
  }
  return { loss: round(loss.avg), acc: round(acc.avg) };
}

async function evaluate(arch: DartsArchitect, loader: BatchLoader): Promise<EpochFigures> {
  const loss = new AverageMeter();
  const acc = new AverageMeter();
  loader.seek(0, 0);
  for (const b of loader.epochBatches()) {
    let r: StepResult;
    try {
      r = arch.evaluate(b);
    } finally {
      tf.dispose([b.x, b.y]);
    }
    const n = b.y.shape[0];
    const [l, c] = await readStep(r);
    loss.update(l, n);
    acc.update(c / n, n);
  }
  return { loss: round(loss.avg), acc: round(acc.avg) };
}

function round(v: number): number {
  return Number(v.toPrecision(6));
}
