import * as fs from 'fs';
import * as path from 'path';
import { CsvLog, Row } from '../io/csv';
import { Progress } from '../io/progress';
import { UsageError } from '../io/errors';
import { checkCheckpoint } from './checkpoint';
import { makeOutDir } from '../io/out';

/** Thrown when a loss or metric stops being finite; the last good checkpoint is left in place. */
export class NonFiniteLossError extends Error {
  constructor(what: string, value: number, epoch: number, step?: number) {
    const where = step === undefined ? `epoch ${epoch}` : `epoch ${epoch}, step ${step}`;
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
}

/**
 * The epoch loop shared by search and retraining: resume, CSV log, checkpoint after every epoch,
 * non-finite guard. Returns the rows of the whole run (including resumed ones).
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
      log(`resuming from the checkpoint: epoch ${start}/${loop.epochs}`);
    }
    csv.load().keepWhile((r) => Number(r.epoch) < start);
  }
  for (let epoch = start; epoch < loop.epochs; epoch++) {
    const t0 = Date.now();
    const row = await loop.runEpoch(epoch);
    for (const [k, v] of Object.entries(row)) if (typeof v === 'number') assertFinite(k, v, epoch);
    const full: Row = { ...row, epoch, seconds: Number(((Date.now() - t0) / 1000).toFixed(3)) };
    // Log first, then checkpoint: if the process dies in between, the resumed run restores the
    // previous checkpoint, drops this row and redoes the epoch, so log and weights never disagree.
    csv.append(full);
    await loop.save(epoch);
    log(formatEpochLine(full, loop.epochs));
  }
  return csv.all();
}

function formatEpochLine(row: Row, epochs: number): string {
  const parts = Object.entries(row)
    .filter(([k]) => k !== 'epoch' && k !== 'genotype')
    .map(([k, v]) => `${k} ${typeof v === 'number' && !Number.isInteger(v) ? v.toPrecision(4) : v}`);
  return `epoch ${Number(row.epoch) + 1}/${epochs} | ${parts.join(' | ')}`;
}

/** A per-epoch progress bar: a live bar in a terminal, silent elsewhere (the epoch line says it all). */
export function epochProgress(label: string, steps: number): Progress {
  return new Progress(label, steps, process.stderr, !process.stderr.isTTY);
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
