import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { replaceDirAtomic, readJson } from '../io/atomic';

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

/** Loads a checkpoint, or returns null when the folder holds none. The caller owns the tensors. */
export function loadCheckpoint<S>(dir: string): Checkpoint<S> | null {
  const manifestFile = path.join(dir, 'tensors.json');
  if (!fs.existsSync(manifestFile)) return null;
  const manifest = readJson<{ format: string; tensors: TensorEntry[] }>(manifestFile);
  if (manifest.format !== FORMAT) throw new Error(`${manifestFile}: not a tfnas checkpoint (format ${manifest.format})`);
  const bin = fs.readFileSync(path.join(dir, 'tensors.bin'));
  const tensors: Record<string, tf.Tensor> = {};
  for (const e of manifest.tensors) {
    if (e.offset + e.bytes > bin.byteLength) throw new Error(`${dir}/tensors.bin is truncated (tensor ${e.name})`);
    const copy = new Uint8Array(bin.subarray(e.offset, e.offset + e.bytes)).buffer;
    const data = e.dtype === 'int32' ? new Int32Array(copy) : new Float32Array(copy);
    tensors[e.name] = tf.tensor(data, e.shape, e.dtype);
  }
  return { tensors, state: readJson<S>(path.join(dir, 'state.json')) };
}

export function disposeAll(tensors: Record<string, tf.Tensor>): void {
  for (const t of Object.values(tensors)) t.dispose();
}
