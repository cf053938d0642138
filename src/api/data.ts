/**
 * In-memory images for library calls: tensors (`{ x: tf.Tensor4D, y: tf.Tensor1D }`) or typed
 * arrays with their shape, turned into the `Dataset` the loaders take (uint8 HWC, as every
 * dataset tfnas reads), with per-channel statistics measured on the training images.
 */
import * as tf from '@tensorflow/tfjs';
import { dataArgsOf, loadDatasetFromArgs } from '../data';
import { channelStats } from '../data/stats';
import type { Dataset, DataSplit } from '../data/types';
import { TfnasError } from '../io/errors';

/** Images as pixel values 0–255 (or 0–1 floats, scaled up), NHWC; labels are class indices. */
export type Images = tf.Tensor4D | Uint8Array | Uint8ClampedArray | Float32Array;
export type Labels = tf.Tensor1D | Uint8Array | Int32Array | Float32Array | number[];

export interface ArrayData {
  x: Images;
  y: Labels;
  /** `[H, W, C]` of one image; needed for typed arrays (a tensor carries its own). */
  shape?: [number, number, number];
  /** Held-out images to report test figures on; without them the last 10% of `x` are held out. */
  test?: { x: Images; y: Labels };
  /** Default: the largest label + 1. */
  numClasses?: number;
  classNames?: string[];
  /** Names the data in run folders and records (default `memory`). */
  name?: string;
}

function pixels(x: Images, option: string): { bytes: Uint8Array; shape?: [number, number, number] } {
  const isTensor = x instanceof tf.Tensor;
  if (isTensor && x.rank !== 4) throw new TfnasError(`${option}: expected a rank-4 tensor [n, H, W, C], got rank ${x.rank}`, { option });
  const values = isTensor ? x.dataSync() : x;
  const shape = isTensor ? (x.shape.slice(1) as [number, number, number]) : undefined;
  if (values instanceof Uint8Array) return { bytes: values, shape };
  let max = 0;
  for (let i = 0; i < values.length; i++) if (values[i] > max) max = values[i];
  const scale = max <= 1 ? 255 : 1;
  const bytes = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) bytes[i] = Math.round(Math.min(255, Math.max(0, values[i] * scale)));
  return { bytes, shape };
}

function labels(y: Labels, count: number, option: string): Uint8Array {
  const values = y instanceof tf.Tensor ? y.dataSync() : y;
  if (values.length !== count) throw new TfnasError(`${option}: expected ${count} labels (one per image), got ${values.length}`, { option });
  const out = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const v = values[i];
    if (!Number.isInteger(v) || v < 0 || v > 255) throw new TfnasError(`${option}: expected class indices 0–255, got ${v} at ${i}`, { option });
    out[i] = v;
  }
  return out;
}

function split(x: Images, y: Labels, shape: [number, number, number] | undefined, what: string): { split: DataSplit; shape: [number, number, number] } {
  const p = pixels(x, `${what}.x`);
  const s = p.shape ?? shape;
  if (!s || s.length !== 3 || s.some((v) => !Number.isInteger(v) || v < 1)) {
    throw new TfnasError(`${what}.shape: expected [H, W, C] for typed-array images, got ${JSON.stringify(s)}`, { option: `${what}.shape` });
  }
  const size = s[0] * s[1] * s[2];
  if (p.bytes.length === 0 || p.bytes.length % size !== 0) throw new TfnasError(`${what}.x: ${p.bytes.length} values are not whole images of [${s.join(', ')}]`, { option: `${what}.x` });
  const count = p.bytes.length / size;
  return { split: { images: p.bytes, labels: labels(y, count, `${what}.y`), count }, shape: s };
}

function take(s: DataSplit, from: number, to: number, size: number): DataSplit {
  return { images: s.images.slice(from * size, to * size), labels: s.labels.slice(from, to), count: to - from };
}

/**
 * A Dataset from in-memory images (copied: the caller's tensors stay theirs to dispose).
 * `holdOut: false`: without `d.test` the test split is left empty instead (a caller that holds
 * out its own validation part, such as ImageClassifier).
 */
export function datasetFromArrays(d: ArrayData, { holdOut = true } = {}): Dataset {
  const { split: all, shape } = split(d.x, d.y, d.shape, 'data');
  const size = shape[0] * shape[1] * shape[2];
  let train = all;
  let test: DataSplit;
  const notes: string[] = [];
  if (d.test) {
    const t = split(d.test.x, d.test.y, shape, 'data.test');
    if (t.shape.join() !== shape.join()) throw new TfnasError(`data.test.x: images of [${t.shape.join(', ')}], but data.x has [${shape.join(', ')}]`, { option: 'data.test.x' });
    test = t.split;
  } else if (!holdOut) {
    test = { images: new Uint8Array(0), labels: new Uint8Array(0), count: 0 };
  } else {
    // No test images given: hold out the last 10% (the figures a run reports must not be training figures).
    const cut = Math.max(1, Math.floor(all.count * 0.9));
    if (cut >= all.count) throw new TfnasError('data.x: at least 2 images are needed (one to train on, one held out)', { option: 'data.x' });
    train = take(all, 0, cut, size);
    test = take(all, cut, all.count, size);
    notes.push(`no data.test given: the last ${test.count} of ${all.count} images are held out as the test split`);
  }
  let maxLabel = 0;
  for (const l of [train.labels, test.labels]) for (const v of l) maxLabel = Math.max(maxLabel, v);
  const numClasses = d.numClasses ?? maxLabel + 1;
  if (maxLabel >= numClasses) throw new TfnasError(`data.y: label ${maxLabel} is not below numClasses ${numClasses}`, { option: 'data.y' });
  const stats = channelStats(train, shape[2]);
  return {
    name: d.name ?? 'memory',
    numClasses,
    shape,
    mean: stats.mean,
    std: stats.std.map((v) => (v > 0 ? v : 1)),
    classNames: d.classNames ?? Array.from({ length: numClasses }, (_, i) => String(i)),
    train,
    test,
    source: 'memory',
    notes,
  };
}

/** The data of a call: the in-memory images when given, else the dataset its options name. */
export async function dataOf(data: ArrayData | Dataset | undefined, values: Record<string, unknown>, log: (line: string) => void): Promise<Dataset> {
  if (data && isDataset(data)) return data;
  if (data) {
    const d = datasetFromArrays(data);
    log(`dataset ${d.name} from memory: ${d.train.count} train / ${d.test.count} test images`);
    for (const note of d.notes) log(`note: ${note}`);
    return d;
  }
  return loadDatasetFromArgs(dataArgsOf(values), { log });
}

/** A Dataset (as `loadDatasetFromArgs` gives) rather than arrays. */
export function isDataset(d: ArrayData | Dataset): d is Dataset {
  return 'train' in d && 'numClasses' in d && typeof (d as Dataset).train?.count === 'number';
}
