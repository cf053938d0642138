import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { replaceDirAtomic, readJson } from '../io/atomic';
import { UsageError } from '../io/errors';

/**
 * A checkpoint is a folder: `tensors.bin` (the raw little-endian data of every tensor, one after
 * another), `tensors.json` (name, dtype, shape, byte offset of each) and `state.json` (the
 * caller's plain state: epoch, step, RNG states…). The folder is replaced atomically, so a run
 * killed while saving still has its previous checkpoint.
 */
interface TensorEntry {
  name: string;
  dtype: 'float32' | 'int32';
  shape: number[];
  offset: number;
  bytes: number;
}

export interface Checkpoint<S> {
  tensors: Record<string, tf.Tensor>;
  state: S;
}

const FORMAT = 'tfnas-checkpoint-1';

export async function saveCheckpoint(dir: string, tensors: Record<string, tf.Tensor>, state: object): Promise<void> {
  const entries: TensorEntry[] = [];
  const chunks: Buffer[] = [];
  let offset = 0;
  for (const [name, t] of Object.entries(tensors)) {
    if (t.dtype !== 'float32' && t.dtype !== 'int32') throw new Error(`checkpoint: tensor ${name} has unsupported dtype ${t.dtype}`);
    const data = (await t.data()) as Float32Array | Int32Array;
    const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    entries.push({ name, dtype: t.dtype, shape: t.shape, offset, bytes: buf.byteLength });
    chunks.push(buf);
    offset += buf.byteLength;
  }
  await replaceDirAtomic(dir, (tmp) => {
    fs.writeFileSync(path.join(tmp, 'tensors.bin'), Buffer.concat(chunks));
    fs.writeFileSync(path.join(tmp, 'tensors.json'), JSON.stringify({ format: FORMAT, tensors: entries }));
    fs.writeFileSync(path.join(tmp, 'state.json'), JSON.stringify(state, null, 2));
  });
}

const FILES = ['tensors.json', 'tensors.bin', 'state.json'] as const;

interface Manifest {
  format: string;
  tensors: TensorEntry[];
}

/**
 * Checks a checkpoint folder without loading any tensor: false when the folder does not exist (no
 * checkpoint yet); true when it is whole; otherwise a UsageError naming the damaged or missing
 * file. A damaged checkpoint is never taken for "no checkpoint", which would make --resume start
 * over and overwrite the run's logs. Called before anything in the run folder is written.
 */
export function checkCheckpoint(dir: string, arg = '--resume'): boolean {
  if (!fs.existsSync(dir)) return false;
  const damaged = (file: string, why: string): never => {
    const advice = arg === '--resume'
      ? `; restore the file from a backup, or start a new run with another --out (the finished epochs are in ${path.join(path.dirname(dir), 'log.csv')})`
      : '';
    throw new UsageError(`${arg}: the checkpoint is damaged: ${path.join(dir, file)} ${why}. Nothing was changed${advice}`);
  };
  for (const f of FILES) if (!fs.existsSync(path.join(dir, f))) damaged(f, 'is missing');
  const manifest = parseJson<Manifest>(path.join(dir, 'tensors.json'), damaged);
  if (manifest?.format !== FORMAT || !Array.isArray(manifest.tensors)) damaged('tensors.json', `is not a tfnas checkpoint manifest (format ${JSON.stringify(manifest?.format)})`);
  parseJson(path.join(dir, 'state.json'), damaged);
  const size = fs.statSync(path.join(dir, 'tensors.bin')).size;
  const need = manifest.tensors.reduce((m, e) => Math.max(m, e.offset + e.bytes), 0);
  if (size !== need) damaged('tensors.bin', `holds ${size} bytes, but tensors.json describes ${need} (truncated or from another checkpoint)`);
  return true;
}

function parseJson<T>(file: string, damaged: (file: string, why: string) => never): T {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
  } catch (e) {
    return damaged(path.basename(file), `is not valid JSON (${(e as Error).message})`);
  }
}

/**
 * Loads a checkpoint, or returns null when the folder does not exist; a damaged one is a
 * UsageError naming the file and `arg`, the option that named the folder (see checkCheckpoint).
 * The caller owns the tensors.
 */
export function loadCheckpoint<S>(dir: string, arg = '--resume'): Checkpoint<S> | null {
  if (!checkCheckpoint(dir, arg)) return null;
  const manifest = readJson<Manifest>(path.join(dir, 'tensors.json'));
  const bin = fs.readFileSync(path.join(dir, 'tensors.bin'));
  const tensors: Record<string, tf.Tensor> = {};
  for (const e of manifest.tensors) {
    const copy = new Uint8Array(bin.subarray(e.offset, e.offset + e.bytes)).buffer;
    const data = e.dtype === 'int32' ? new Int32Array(copy) : new Float32Array(copy);
    tensors[e.name] = tf.tensor(data, e.shape, e.dtype);
  }
  return { tensors, state: readJson<S>(path.join(dir, 'state.json')) };
}

export function disposeAll(tensors: Record<string, tf.Tensor>): void {
  for (const t of Object.values(tensors)) t.dispose();
}
