import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { readJson, writeJsonAtomic } from '../../io/atomic';
import { UsageError } from '../../io/errors';
import { camelKeys, snakeKeys } from '../../io/json-keys';
import type { Row } from '../../io/csv';
import type { Supernet } from '../../nets/supernet';
import { deriveDartsGenotype, deriveNb201Genotype } from '../../space/derive';
import { formatDartsGenotype, formatNb201Genotype } from '../../space/genotype';
import type { DartsGenotype, Nb201Genotype } from '../../space/genotype-types';
import { DartsConfig, RESUME_KEYS } from './config';

/**
 * The files of a DARTS run folder besides log.csv and the checkpoint: config.json (every setting,
 * backend, versions), alphas.csv (softmax weights per epoch), genotype.json (the derived cell).
 */
export const LOG_COLUMNS = ['epoch', 'lr', 'train_loss', 'train_acc', 'valid_loss', 'valid_acc', 'seconds', 'genotype'];
export const ALPHA_COLUMNS = ['epoch', 'cell', 'edge', 'op', 'weight'];

export interface Derived {
  genotype: DartsGenotype | Nb201Genotype;
  /** The reference's text form: `Genotype(normal=[...], ...)` or the NB201 `|op~0|+...` string. */
  text: string;
}

/** softmax(α) of each matrix as plain arrays (read asynchronously: webgpu has no synchronous read in Node). */
export async function alphaWeights(net: Supernet): Promise<Record<string, number[][]>> {
  const out: Record<string, number[][]> = {};
  for (const { name } of net.alphaLayout) {
    const w = tf.tidy(() => tf.softmax(net.alphas[name], -1));
    out[name] = (await w.array()) as number[][];
    w.dispose();
  }
  return out;
}

/** The cell the current α selects (src/space/derive.ts, as the reference's genotype()). */
export function deriveFromNet(net: Supernet, weights: Record<string, number[][]>): Derived {
  if (net.space === 'darts') {
    const g = deriveDartsGenotype(weights.normal, weights.reduce);
    return { genotype: g, text: formatDartsGenotype(g) };
  }
  const g = deriveNb201Genotype(weights.cell);
  return { genotype: g, text: formatNb201Genotype(g) };
}

/** alphas.csv rows after epoch index `epoch` (0-based; written 1-based, as log.csv): one per (cell type, edge, op). */
export function alphaRows(net: Supernet, epoch: number, weights: Record<string, number[][]>): Row[] {
  const rows: Row[] = [];
  for (const layout of net.alphaLayout) {
    weights[layout.name].forEach((row, e) => {
      row.forEach((w, k) => rows.push({ epoch: epoch + 1, cell: layout.name, edge: layout.edges[e], op: layout.ops[k], weight: Number(w.toPrecision(6)) }));
    });
  }
  return rows;
}

export interface RunInfo {
  config: DartsConfig;
  backend: string;
  params: number;
  versions: Record<string, string>;
  started: string;
  command?: string;
}

/** Writes config.json; when resuming, first checks that the settings that shape the run are unchanged. */
export function writeConfig(runDir: string, info: RunInfo, resume: boolean): void {
  const file = path.join(runDir, 'config.json');
  // snake_case keys in the file, as every JSON tfnas writes (readSavedConfig reads them back).
  let record: Record<string, unknown> = { ...info, config: snakeKeys(info.config), recompute: snakeKeys((info as { recompute?: unknown }).recompute) };
  if (resume && fs.existsSync(file)) {
    const prev = readJson<{ config?: unknown; started?: string; resumed?: string[] }>(file);
    const old: Partial<DartsConfig> = readSavedConfig(prev.config);
    record = { ...record, started: prev.started ?? info.started, resumed: [...(prev.resumed ?? []), info.started] };
    for (const k of RESUME_KEYS) {
      if (JSON.stringify(old[k]) !== JSON.stringify(info.config[k])) {
        throw new UsageError(
          `--resume: the run in ${runDir} was started with ${k} = ${JSON.stringify(old[k])}, this command has ${JSON.stringify(info.config[k])}; use the same settings or another --out`,
        );
      }
    }
  }
  writeJsonAtomic(file, record);
}

/** The DARTS configuration saved in a run's config.json (snake_case; runs made before were camelCase). */
export function readSavedConfig(saved: unknown): DartsConfig {
  return camelKeys(saved ?? {}) as DartsConfig;
}

/**
 * genotype.json: the derived cell in the canonical object form, its text form, and the epochs
 * finished when it was derived (`epoch` index + 1, as log.csv; 0: before training).
 */
export function writeGenotype(runDir: string, space: string, d: Derived, epoch: number): void {
  writeJsonAtomic(path.join(runDir, 'genotype.json'), { space, genotype: d.genotype, text: d.text, epoch: epoch + 1 });
}

export { versions } from '../../io/run-config';
