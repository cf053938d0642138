/**
 * The records of the official NAS-Bench-101 file (google-research/nasbench, api.py): each TFRecord
 * holds a JSON array `[module_hash, epochs, raw_adjacency, raw_operations, base64 ModelMetrics]`,
 * where raw_adjacency is the V·V matrix digits row by row and raw_operations the ops joined by
 * commas. ModelMetrics is decoded by protobufjs from the official model_metrics.proto; as in the
 * official API, evaluation_data[2] is the end of training (0 = initialisation, 1 = halfway).
 */
import * as protobuf from 'protobufjs';
import { UsageError } from '../../io/errors';
import { MODEL_METRICS_PROTO } from './nb101-metrics-proto';

let metricsType: protobuf.Type | null = null;

/** The `nasbench.ModelMetrics` message type, parsed once from the official .proto text. */
export function modelMetricsType(): protobuf.Type {
  metricsType ??= protobuf.parse(MODEL_METRICS_PROTO, { keepCase: true }).root.lookupType('nasbench.ModelMetrics');
  return metricsType;
}

export interface Nb101Evaluation {
  training_time: number;
  train_accuracy: number;
  validation_accuracy: number;
  test_accuracy: number;
}

export interface Nb101Record {
  hash: string;
  epochs: number;
  matrix: number[][];
  ops: string[];
  params: number;
  /** evaluation_data[2]: the metrics at the end of training, as the official API's `final_*`. */
  final: Nb101Evaluation;
}

const FINAL = 2;

/** Parses one record's data; `where` (file and offset) prefixes every error. */
export function parseNb101Record(data: Buffer, where: string): Nb101Record {
  let row: unknown;
  try {
    row = JSON.parse(data.toString('utf8'));
  } catch (e) {
    throw new UsageError(`${where}: not a NAS-Bench-101 record (its data is not JSON: ${(e as Error).message})`);
  }
  if (!Array.isArray(row) || row.length !== 5) throw new UsageError(`${where}: not a NAS-Bench-101 record (expected a JSON array of 5: hash, epochs, adjacency, operations, metrics)`);
  const [hash, epochs, adjacency, operations, metrics] = row as unknown[];
  if (typeof hash !== 'string' || !/^[0-9a-f]{32}$/.test(hash)) throw new UsageError(`${where}: module hash ${JSON.stringify(hash)} is not 32 hex digits`);
  if (typeof epochs !== 'number' || typeof adjacency !== 'string' || typeof operations !== 'string' || typeof metrics !== 'string') {
    throw new UsageError(`${where}: record fields have the wrong types (expected string, number, string, string, string)`);
  }
  const n = Math.round(Math.sqrt(adjacency.length));
  if (n * n !== adjacency.length || !/^[01]*$/.test(adjacency)) throw new UsageError(`${where}: adjacency ${JSON.stringify(adjacency)} is not the digits of a square 0/1 matrix`);
  const matrix = Array.from({ length: n }, (_, i) => Array.from(adjacency.slice(i * n, (i + 1) * n), Number));
  let m: { evaluation_data?: Partial<Nb101Evaluation>[]; trainable_parameters?: number };
  try {
    const type = modelMetricsType();
    m = type.toObject(type.decode(Buffer.from(metrics, 'base64')), { defaults: true }) as typeof m;
  } catch (e) {
    throw new UsageError(`${where}: ModelMetrics does not decode: ${(e as Error).message}`);
  }
  const ev = m.evaluation_data?.[FINAL];
  if (!ev) throw new UsageError(`${where}: ModelMetrics has ${m.evaluation_data?.length ?? 0} evaluations; the end of training is the third`);
  const final: Nb101Evaluation = {
    training_time: Number(ev.training_time),
    train_accuracy: Number(ev.train_accuracy),
    validation_accuracy: Number(ev.validation_accuracy),
    test_accuracy: Number(ev.test_accuracy),
  };
  return { hash, epochs, matrix, ops: operations.split(','), params: Number(m.trainable_parameters), final };
}

/** A record's data in the official layout (for writing test files; the inverse of parseNb101Record). */
export function encodeNb101Record(r: { hash: string; epochs: number; matrix: number[][]; ops: string[]; params: number; evaluations: Partial<Nb101Evaluation & { current_epoch: number }>[] }): Buffer {
  const type = modelMetricsType();
  const msg = type.fromObject({ evaluation_data: r.evaluations, trainable_parameters: r.params, total_time: 0 });
  const b64 = Buffer.from(type.encode(msg).finish()).toString('base64');
  return Buffer.from(JSON.stringify([r.hash, r.epochs, r.matrix.map((row) => row.join('')).join(''), r.ops.join(','), b64]), 'utf8');
}
