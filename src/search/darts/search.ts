import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { CsvLog, Row } from '../../io/csv';
import type { RunRecord } from '../../io/run-config';
import type { Dataset } from '../../data/types';
import { BatchLoader, LoaderState, mixSeed, searchSplit } from '../../data';
import type { Supernet } from '../../nets/supernet';
import { RecomputeChoice, resolveRecompute } from '../../nets/supernet-memory';
import { adapterInUse } from '../../backend/webgpu';
import { fusedKernelsActive } from '../../ops/fused';
import { PassInfo, disposeQuietly, formatBytes, guardMemory } from '../../backend/out-of-memory';
import { cosineLr } from '../../train/schedule';
import { saveCheckpoint, loadCheckpoint, disposeAll } from '../../train/checkpoint';
import { prepareRunDir, runEpochs } from '../../train/runner';
import { DartsArchitect, type XY } from './architect';
import { Evaluator, Stepper, evaluate, readStep, round, trainEpoch } from './epoch';
import { ParallelDarts, replicaBatch } from './parallel';
import { loadRunState, runState } from './state';
import { checkWorkers } from '../../train/parallel/workers';
import { DartsConfig, validateDartsConfig } from './config';
import { buildSupernet } from './build';
import { loadNb201Table, nb201CellReport } from '../tables/nb201-table';
import type { Nb201Genotype } from '../../space/genotype-types';
import { ALPHA_COLUMNS, Derived, LOG_COLUMNS, alphaRows, alphaWeights, deriveFromNet, rankingWeights, versions, writeConfig, writeGenotype } from './files';
import { CollapseFigures, KeptCell, SkipGuard, collapseFigures } from './guards';
import { replicaUnsupported, setEpochMethod } from './epoch-method';
import { UsageError } from '../../io/errors';
import { LATENCY_LOG_COLUMNS, latencyLogColumns, latencySummary, latencyTermFor } from '../../latency/darts-hook';
import type { LatencyTerm } from '../../latency/objective';

/**
 * One DARTS search run (train_search.py `main`): supernet, split of the training set into a
 * weights part and an architecture part, the epoch loop (shared runner: log.csv, checkpoint after
 * every epoch, resume, non-finite guard), alphas.csv and genotype.json after every epoch.
 */
export interface DartsRunOptions {
  out: string;
  resume: boolean;
  backend: string;
  /** The command's record for config.json (options, versions, command line). */
  record?: RunRecord;
  /** Called after each epoch's checkpoint (tests use it to simulate a kill). */
  afterEpoch?: (epoch: number) => void;
  log?: (line: string) => void;
  /** Rewrite report.html in the run folder after every epoch. */
  report?: boolean;
  /** `--gpu-memory` in bytes, for `--recompute auto` on a GPU backend (null: not given). */
  gpuMemoryBytes?: number | null;
  /** Data-parallel worker threads (`--workers`; default 1: this thread computes, as before). */
  workers?: number;
  /** Called once the worker threads run (tests stop one to check the failure path). */
  onWorkers?: (p: ParallelDarts) => void;
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
  /** The gradient checkpointing used (`--recompute auto` resolved). */
  recompute: string;
  final: Row | null;
  /** With --latency-table: the target and the derived cell's predicted latency (ms). */
  latencyTargetMs?: number;
  predictedLatencyMs?: number;
  /** NB201 with --table: the derived cell's benchmark accuracies on every dataset. */
  benchmark?: ReturnType<typeof nb201CellReport>;
  method: string;
  /** Collapse guards of the last epoch's cell, and the skip count after each epoch. */
  collapse: CollapseFigures | null;
  skip_curve: number[];
  /** --max-skip: the epoch whose cell is the result, and whether the search stopped early. */
  max_skip?: { kept_epoch: number | null; stopped_after: number | null };
}

const CHECKPOINT = 'checkpoint';
/** Extra log.csv columns of an NB201 search given a benchmark table (`--table`). */
const BENCH_COLUMNS = ['nb201_valid_12ep', 'nb201_test_200ep'];

interface CheckpointState {
  nextEpoch: number;
  adamSteps: number;
  archLoader: LoaderState;
  guard?: { kept: KeptCell<Derived> | null; stopped: boolean };
}

/** Runs (or resumes) a search; resolves with the final summary. */
export async function runDartsSearchLoop(cfg: DartsConfig, data: Dataset, opts: DartsRunOptions): Promise<DartsSummary> {
  validateDartsConfig(cfg);
  // GDAS draws the ops on the host from α before every forward: a synchronous read webgpu cannot do in Node.
  if (cfg.gumbelTau && opts.backend === 'webgpu') throw new UsageError('--gumbel-tau (gdas): not on the webgpu backend yet (each forward reads α on the host to draw its ops); use wasm, cpu or tensorflow');
  if (cfg.table) loadNb201Table(cfg.table); // a bad table fails now, not after the first epoch
  prepareRunDir(opts.out, opts.resume, CHECKPOINT);
  const workers = checkWorkers(opts.workers ?? 1, opts.backend);
  const run = new DartsRun(cfg, data, { ...opts, workers });
  try {
    await run.startWorkers(data, workers);
    await run.deriveCell();
    const rows = await runEpochs({
      runDir: opts.out,
      columns: [...LOG_COLUMNS, ...(cfg.table ? BENCH_COLUMNS : []), ...(cfg.latency ? LATENCY_LOG_COLUMNS : [])],
      epochs: cfg.epochs,
      resume: opts.resume,
      runEpoch: (e) => run.runEpoch(e),
      stop: () => run.guard.stopped,
      save: (e) => run.save(e),
      restore: () => run.restore(),
      log: opts.log,
      report: opts.report,
    });
    const summary = run.summary(rows);
    await run.close();
    return summary;
  } catch (e) {
    await run.close().catch(() => undefined);
    throw e;
  }
}


/** The state of one run: supernet, optimisers, loaders, the alphas log and the last derived cell. */
class DartsRun {
  private readonly net: Supernet;
  private readonly arch: DartsArchitect;
  private readonly weightsLoader: BatchLoader;
  private readonly archLoader: BatchLoader;
  private readonly validLoader: BatchLoader;
  private readonly alphaLog: CsvLog;
  private last!: Derived;
  private lastEpoch = -1;
  /** The worker threads of a data-parallel run, and whether they hold the main thread's state. */
  private parallel: ParallelDarts | null = null;
  private pushed = false;
  private figures: CollapseFigures | null = null;
  readonly guard: SkipGuard<Derived>;
  /** The gradient checkpointing in use (`auto` resolved; written to config.json). */
  readonly recompute: RecomputeChoice;
  /** The latency term of the architecture loss (`--latency-table`), or null. */
  private readonly latency: LatencyTerm | null;

  constructor(private readonly cfg: DartsConfig, data: Dataset, private readonly opts: DartsRunOptions) {
    this.net = buildSupernet(cfg, data.numClasses, data.shape[2]);
    this.guard = new SkipGuard<Derived>(cfg.maxSkip, cfg.maxSkipAction);
    try {
      this.latency = latencyTermFor(cfg.latency, this.net);
    } catch (e) {
      this.net.dispose();
      throw e;
    }
    const shape = { batch: replicaBatch(cfg.batchSize, opts.backend, opts.workers ?? 1), C: cfg.initChannels, layers: cfg.layers, height: data.shape[0], width: data.shape[1] };
    const device = { gpuMemoryBytes: opts.gpuMemoryBytes, fallbackAdapter: adapterInUse()?.isFallbackAdapter };
    this.recompute = resolveRecompute(cfg.recompute, cfg.space, shape, opts.backend, os.totalmem(), fusedKernelsActive(), device);
    this.arch = new DartsArchitect(this.net, { ...cfg, recompute: this.recompute.mode });
    try {
      const info = { ...opts.record, config: cfg, recompute: this.recompute, backend: opts.backend, workers: opts.workers ?? 1, params: this.net.paramCount(), versions: versions(), started: new Date().toISOString() };
      writeConfig(opts.out, info, opts.resume);
      const split = searchSplit(data.train.count, cfg.trainPortion, cfg.seed);
      // train_search.py applies its training transform (crop + flip) to both halves.
      const augment = cfg.augment ? { crop: 4, flip: true } : undefined;
      this.weightsLoader = new BatchLoader(data, 'train', split.weights, { batchSize: cfg.batchSize, seed: mixSeed(cfg.seed, 1), augment });
      this.archLoader = new BatchLoader(data, 'train', split.arch, { batchSize: cfg.batchSize, seed: mixSeed(cfg.seed, 2), augment });
      const validIdx = cfg.validLimit === null ? split.arch : split.arch.slice(0, cfg.validLimit);
      this.validLoader = new BatchLoader(data, 'train', validIdx, { batchSize: cfg.batchSize, seed: 0, shuffle: false });
    } catch (e) {
      this.dispose();
      throw e;
    }
    this.alphaLog = new CsvLog(path.join(opts.out, 'alphas.csv'), ALPHA_COLUMNS);
  }

  /** Starts the data-parallel replicas (`--workers` ≥ 2). */
  async startWorkers(data: Dataset, workers: number): Promise<void> {
    if (workers < 2) return;
    this.parallel = await ParallelDarts.start(this.cfg, this.net, data.numClasses, data.shape, this.opts.backend, this.recompute.mode, workers);
    this.opts.onWorkers?.(this.parallel);
  }

  /** The cell the current α selects (α read asynchronously, so not in the constructor). */
  async deriveCell(): Promise<void> {
    this.last = deriveFromNet(this.net, await rankingWeights(this.net, await alphaWeights(this.net)));
    if (this.lastEpoch < 0) this.guard.observe(this.last, 0);
  }

  /** Trains one epoch (architecture + weight steps), evaluates on the architecture part, logs α and the cell. */
  async runEpoch(epoch: number): Promise<Row> {
    const { cfg, net } = this;
    const lr = cosineLr(epoch, cfg.epochs, cfg.lr, cfg.lrMin);
    setEpochMethod(cfg, epoch, this.arch);
    this.weightsLoader.seek(epoch, 0);
    // The latency term scales or shifts the cross-entropy first (ProxylessNAS); the method's regularisers add to that.
    if (this.latency) this.arch.objectives.unshift(this.latency.objective);
    const { step, evaluate: evalStep } = await this.steppers();
    const train = await guardMemory(() => this.passInfo(`the training steps of epoch ${epoch + 1}`), () => trainEpoch(step, this.weightsLoader, this.archLoader, lr, epoch, cfg));
    const valid = await guardMemory(() => this.passInfo(`the validation pass of epoch ${epoch + 1}`), () => evaluate(evalStep, this.validLoader));
    await this.parallel?.pull(this.net, this.arch);
    const weights = await alphaWeights(net);
    this.last = deriveFromNet(net, await rankingWeights(net, weights));
    this.lastEpoch = epoch;
    this.figures = collapseFigures(this.last.genotype, weights);
    this.guard.observe(this.last, epoch + 1);
    this.alphaLog.append(...alphaRows(net, epoch, weights));
    writeGenotype(this.opts.out, cfg.space, this.guard.result(this.last), epoch);
    const row: Row = { lr: round(lr), train_loss: train.loss, train_acc: train.acc, valid_loss: valid.loss, valid_acc: valid.acc, genotype: this.last.text, ...this.figures };
    return { ...row, ...this.benchmarkColumns(), ...latencyLogColumns(this.latency, weights, this.last.genotype) };
  }

  /** This thread's steps, or the replicas' (given this thread's state first, after a start or a restore). */
  private async steppers(): Promise<{ step: Stepper; evaluate: Evaluator }> {
    const p = this.parallel;
    if (!p) return { step: (t, a, lr) => readStep(this.arch.step(t, a, lr)), evaluate: (b) => readStep(this.arch.evaluate(b)) };
    // The replicas build no objective terms: a search that sets them needs them passed on first.
    if (this.arch.objectives.length > 0) throw new Error('--workers ≥ 2 does not yet pass architecture objective terms to its replicas; use --workers 1');
    const unsupported = replicaUnsupported(this.cfg);
    if (unsupported.length > 0) throw new UsageError(`--workers: the worker replicas do not follow the per-epoch state of ${unsupported.map((n) => `--${n}`).join(', ')} yet; use --workers 1`);
    if (!this.pushed) await p.push(this.net, this.arch);
    this.pushed = true;
    return { step: (t, a, lr) => p.step(t, a as XY, lr), evaluate: (b) => p.evaluate(b) };
  }

  /** What an out-of-memory report says about this run (see backend/out-of-memory.ts). */
  private passInfo(pass: string): PassInfo {
    const { cfg, recompute } = this;
    const cells = cfg.space === 'nb201' ? `${cfg.layers} cells per stage` : `${cfg.layers} cells`;
    const budget = recompute.budgetBytes === null ? 'an unknown budget' : `a budget of ${formatBytes(recompute.budgetBytes)}`;
    // --recompute and --valid-limit leave the trained weights as they are, so --resume takes them.
    const keep = [...(recompute.mode === 'cells' ? [] : ['--recompute cells']), ...(cfg.validLimit === null ? ['--valid-limit N'] : [])];
    return {
      pass,
      config: `${cfg.space} supernet, order ${cfg.order}, batch ${cfg.batchSize}, C=${cfg.initChannels}, ${cells}, recompute ${recompute.mode}`,
      backend: this.opts.backend,
      estimate: `A training step without recomputation was estimated at ${formatBytes(recompute.estimateBytes)} of activations, against ${budget}`,
      kept: this.lastEpoch < 0 ? 'no epoch had finished, so there is no checkpoint yet' : `the checkpoint of epoch ${this.lastEpoch + 1} is kept`,
      advice: [
        ...(keep.length > 0 ? [`the same command with ${keep.join(' or ')} and --resume`] : []),
        `a new run with a smaller --batch-size (now ${cfg.batchSize})`,
      ],
    };
  }

  /** NB201 with a table: the derived cell's 12-epoch validation and 200-epoch test accuracy. */
  private benchmarkColumns(): Row {
    if (!this.cfg.table) return {};
    const e = loadNb201Table(this.cfg.table).lookup(this.last.genotype as Nb201Genotype, this.cfg.benchDataset);
    return { nb201_valid_12ep: e ? e.valid12 : null, nb201_test_200ep: e ? e.test200 : null };
  }

  /** Checkpoint: weights, BN statistics, α, both optimisers, the architecture loader's position. */
  async save(epoch: number): Promise<void> {
    const { tensors, adamSteps } = runState(this.net, this.arch);
    const state: CheckpointState = { nextEpoch: epoch + 1, adamSteps, archLoader: this.archLoader.state, guard: this.guard.state() };
    await saveCheckpoint(path.join(this.opts.out, CHECKPOINT), tensors, state);
    this.opts.afterEpoch?.(epoch);
  }

  /** Restores the last checkpoint (and cuts alphas.csv back to it); returns the next epoch, or null. */
  async restore(): Promise<number | null> {
    const ck = loadCheckpoint<CheckpointState>(path.join(this.opts.out, CHECKPOINT));
    if (!ck) {
      this.alphaLog.keepWhile(() => false);
      return null;
    }
    try {
      loadRunState(this.net, this.arch, ck.tensors, ck.state.adamSteps);
      this.archLoader.restore(ck.state.archLoader);
      this.pushed = false;
    } finally {
      disposeAll(ck.tensors);
    }
    this.alphaLog.load().keepWhile((r) => Number(r.epoch) <= ck.state.nextEpoch);
    this.lastEpoch = ck.state.nextEpoch - 1;
    await this.deriveCell();
    this.guard.load(ck.state.guard);
    this.figures = collapseFigures(this.last.genotype, await alphaWeights(this.net));
    return ck.state.nextEpoch;
  }

  summary(rows: Row[]): DartsSummary {
    const result = this.guard.result(this.last);
    writeGenotype(this.opts.out, this.cfg.space, result, this.lastEpoch);
    const { cfg, guard } = this;
    return {
      space: this.cfg.space,
      method: cfg.method,
      genotype: result.genotype,
      text: result.text,
      ...(this.cfg.space === 'nb201' ? { cell: result.text } : {}),
      collapse: this.figures,
      skip_curve: rows.map((r) => Number(r.skips)),
      ...(cfg.maxSkip !== null ? { max_skip: { kept_epoch: guard.kept?.epoch ?? null, stopped_after: guard.stopped ? this.lastEpoch + 1 : null } } : {}),
      out: this.opts.out,
      epochs: this.cfg.epochs,
      params: this.net.paramCount(),
      recompute: this.recompute.mode,
      final: rows.length > 0 ? rows[rows.length - 1] : null,
      ...latencySummary(this.latency, result.genotype),
      ...(this.cfg.table ? { benchmark: nb201CellReport(result.genotype as Nb201Genotype, this.cfg.table) } : {}),
    };
  }

  /** Stops the worker threads and frees the tensors. */
  async close(): Promise<void> {
    try {
      await this.parallel?.close();
    } finally {
      disposeQuietly(this);
    }
  }

  dispose(): void {
    this.arch.dispose();
    this.net.dispose();
  }
}
