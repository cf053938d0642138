import * as fs from 'fs';
import * as path from 'path';
import { CsvLog, Row } from '../io/csv';
import { Progress, type ProgressValues } from '../io/progress';
import { UsageError } from '../io/errors';
import { refreshReport } from '../report/live';
import { checkCheckpoint } from './checkpoint';
import { makeOutDir } from '../io/out';
import { assertNoDeviceError } from '../backend/webgpu';
import { reportProgress, runHooks, throwIfAborted } from '../io/run-hooks';
import type { Batch } from '../data/loader';
import { AverageMeter } from './metrics';


/** Thrown when a loss or metric stops being finite; the last good checkpoint is left in place. */
export class NonFiniteLossError extends Error {
  /** `epoch` and `step` are 0-based indices; the message counts from 1, as log.csv and the console do. */
  constructor(what: string, value: number, epoch: number, step?: number) {
    const where = step === undefined ? `epoch ${epoch + 1}` : `epoch ${epoch + 1}, step ${step + 1}`;
    super(
      `${what} became ${value} at ${where}; the run stopped. Its folder keeps the log and the checkpoint of the last good epoch. ` +
        'Resuming with the same settings would diverge again: start a new run (another --out) with a lower learning rate ' +
        '(e.g. half of it: --learning-rate), or check the data.',
    );
    this.name = 'NonFiniteLossError';
  }
}

/** Throws NonFiniteLossError unless `value` is finite. */
export function assertFinite(what: string, value: number, epoch: number, step?: number): void {
  if (!Number.isFinite(value)) throw new NonFiniteLossError(what, value, epoch, step);
}

export interface EpochLoop {
  /** The run folder; `log.csv` is written there. */
  runDir: string;
  /** CSV columns; must include `epoch` and `seconds` (filled in here). */
  columns: string[];
  epochs: number;
  resume: boolean;
  /** Trains and evaluates one epoch; returns its log row (without `epoch` and `seconds`). */
  runEpoch(epoch: number): Promise<Row>;
  /** Persists everything needed to continue after `epoch` (the next run starts at epoch + 1). */
  save(epoch: number): Promise<void>;
  /** Restores the last checkpoint; returns the next epoch to run, or null when there is none. */
  restore(): Promise<number | null>;
  /** Where to print one line per epoch (stderr by default). */
  log?: (line: string) => void;
  /** Rewrite `report.html` in the run folder after every epoch (tfnas report). */
  report?: boolean;
  /** Checked before each epoch (also after a resume): true ends the run early (an early-stopping rule). */
  stop?: () => boolean;
}


/**
 * The run in progress (set by runEpochs around each epoch), so that the epoch's progress bar can
 * show the whole run's ETA, not only the epoch's.
 */
interface RunClock {
  epoch: number;
  epochs: number;
  /** Seconds of the epochs finished by this process (the first epoch is timed as it goes). */
  finished: number[];
}
let clock: RunClock | null = null;

/** Seconds left in the whole run, given the current epoch's remaining seconds. */
export function runSecondsLeft(epochLeft: number, epochElapsed: number, c: RunClock | null = clock): number | null {
  if (!c) return null;
  const perEpoch = c.finished.length > 0 ? c.finished.reduce((a, b) => a + b, 0) / c.finished.length : epochElapsed + epochLeft;
  return epochLeft + (c.epochs - c.epoch - 1) * perEpoch;
}

/** 3d 04h, 2h 05m, 4m 10s, 12s. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  const [d, h, m] = [Math.floor(s / 86400), Math.floor((s % 86400) / 3600), Math.floor((s % 3600) / 60)];
  if (d > 0) return `${d}d ${String(h).padStart(2, '0')}h`;
  if (h > 0) return `${h}h ${String(m).padStart(2, '0')}m`;
  return m > 0 ? `${m}m ${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

/**
 * The epoch loop shared by search and retraining: resume, CSV log, checkpoint after every epoch,
 * non-finite guard. Returns the rows of the whole run (including resumed ones).
 *
 * Epochs count from 1 in every file and message (log.csv's `epoch` is the number of epochs
 * finished: 1 … epochs, as the console's "epoch 3/50"); the callbacks take the 0-based index.
 */
export async function runEpochs(loop: EpochLoop): Promise<Row[]> {
  const log = loop.log ?? ((line: string) => process.stderr.write(line + '\n'));
  const csv = new CsvLog(path.join(loop.runDir, 'log.csv'), loop.columns);
  let start = 0;
  if (loop.resume) {
    const next = await loop.restore();
    if (next === null) log(`no checkpoint in ${loop.runDir}: starting from epoch 0`);
    else {
      start = next;
      log(`resuming from the checkpoint after epoch ${start}/${loop.epochs}`);
    }
    // Rows of epochs the checkpoint does not cover (1-based: epoch `start` is the last one kept).
    csv.load().keepWhile((r) => Number(r.epoch) <= start);
  }
  const finished: number[] = [];
  try {
    for (let epoch = start; epoch < loop.epochs; epoch++) {
      throwIfAborted();
      if (loop.stop?.()) break;
      clock = { epoch, epochs: loop.epochs, finished };
      const t0 = Date.now();
      const row = await loop.runEpoch(epoch);
      assertNoDeviceError(); // before the epoch is logged or checkpointed
      for (const [k, v] of Object.entries(row)) if (typeof v === 'number') assertFinite(k, v, epoch);
      const seconds = (Date.now() - t0) / 1000;
      const full: Row = { ...row, epoch: epoch + 1, seconds: Number(seconds.toFixed(3)) };
      // Log first, then checkpoint: if the process dies in between, the resumed run restores the
      // previous checkpoint, drops this row and redoes the epoch, so log and weights never disagree.
      csv.append(full);
      await loop.save(epoch);
      finished.push(seconds);
      log(formatEpochLine(full, loop.epochs, runSecondsLeft(0, seconds)));
      reportProgress({ kind: 'epoch', epoch: epoch + 1, epochs: loop.epochs, values: full, etaSeconds: runSecondsLeft(0, seconds) });
      if (loop.report) await refreshReport(loop.runDir, log);
    }
  } finally {
    clock = null;
  }
  return csv.all();
}

function formatEpochLine(row: Row, epochs: number, left: number | null): string {
  const parts = Object.entries(row)
    .filter(([k]) => k !== 'epoch' && k !== 'genotype')
    .map(([k, v]) => `${k} ${typeof v === 'number' && !Number.isInteger(v) ? v.toPrecision(4) : v}`);
  const eta = left !== null && Number(row.epoch) < epochs ? ` | run ETA ${formatDuration(left)}` : '';
  return `epoch ${row.epoch}/${epochs} | ${parts.join(' | ')}${eta}`;
}

/**
 * A per-epoch progress bar (a live bar in a terminal, silent elsewhere: the epoch line says it
 * all) whose line ends with the whole run's ETA when runEpochs is running.
 */
export function epochProgress(label: string, steps: number): Progress {
  const run = clock;
  const suffix = run
    ? (done: number, total: number, elapsed: number) => {
        const epochLeft = done > 0 ? (elapsed / done) * (total - done) : NaN;
        return `run ETA ${formatDuration(runSecondsLeft(epochLeft, elapsed, run) ?? NaN)}`;
      }
    : undefined;
  if (!run || (!runHooks().onProgress && !runHooks().signal)) return new Progress(label, steps, process.stderr, !process.stderr.isTTY, suffix);
  return new HookedProgress(run, label, steps, suffix);
}

/**
 * The epoch's bar that also reports each step to a library caller (onProgress) and stops the run
 * at the next step once the caller's AbortSignal fires: the epoch is dropped, the last
 * checkpoint stays, and resume redoes the epoch.
 */
class HookedProgress extends Progress {
  private readonly t0 = Date.now();

  constructor(private readonly run: RunClock, label: string, private readonly steps: number, suffix?: (d: number, t: number, e: number) => string) {
    super(label, steps, process.stderr, !process.stderr.isTTY, suffix);
  }

  update(step: number, values: ProgressValues = {}): void {
    super.update(step, values);
    const elapsed = (Date.now() - this.t0) / 1000;
    const eta = step > 0 ? runSecondsLeft((elapsed / step) * (this.steps - step), elapsed, this.run) : null;
    reportProgress({ kind: 'step', epoch: this.run.epoch + 1, epochs: this.run.epochs, step, steps: this.steps, values, etaSeconds: eta });
    throwIfAborted();
  }
}

/**
 * Prepares a run folder: refuses to overwrite a run that has a checkpoint unless resuming, so a
 * mistyped command never destroys a long run.
 */
export function prepareRunDir(runDir: string, resume: boolean, checkpointName = 'checkpoint'): void {
  const ckpt = path.join(runDir, checkpointName);
  if (!resume && fs.existsSync(ckpt)) {
    throw new UsageError(`--out: ${runDir} already holds a run with a checkpoint; pass --resume to continue it, or choose another --out`);
  }
  // A damaged checkpoint fails here, before config.json or anything else in the folder is touched.
  if (resume) checkCheckpoint(ckpt);
  makeOutDir(runDir);
}

/** The train loss and accuracy of an epoch's steps, as they went. */
export interface EpochMeters {
  loss: AverageMeter;
  acc: AverageMeter;
}

/**
 * An epoch's training steps: `step` per batch (its loss, correct count and size back), each batch
 * disposed after its step, the meters and the bar updated, and the event loop let through after
 * every step (Ctrl-C, an AbortSignal, the bar). The caller stops the bar.
 */
export async function runTrainSteps(batches: Iterable<Batch>, bar: Progress, step: (b: Batch, index: number) => Promise<{ loss: number; correct: number; n: number }>, meters: EpochMeters = { loss: new AverageMeter(), acc: new AverageMeter() }): Promise<EpochMeters> {
  let i = 0;
  for (const b of batches) {
    try {
      const r = await step(b, i);
      meters.loss.update(r.loss, r.n);
      meters.acc.update(r.correct / r.n, r.n);
    } finally {
      b.x.dispose();
      b.y.dispose();
    }
    bar.update(++i, { loss: meters.loss.avg, acc: meters.acc.avg });
    await new Promise((resolve) => setImmediate(resolve));
  }
  return meters;
}
