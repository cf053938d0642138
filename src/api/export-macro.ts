/**
 * `tfnas export` of a macro-space genotype (see space/macro-resolve.ts for the forms it reads):
 * `json` (the genotype object), `key` (its one-line form, what `--space macro` searches log), and
 * `model`: a trained macro network's browser model, the same form as ImageClassifier.export
 * (model.json + weights.bin, standard layers only: raw NHWC pixels 0–255 in, class probabilities
 * out; the training data's normalisation folded in by image-model.ts).
 */
import * as fs from 'fs';
import { UsageError } from '../io/errors';
import { loadModel, MODEL_JSON, saveModel, WEIGHTS_BIN } from '../nets/network-io';
import { macroToKey } from '../space/macro-space';
import type { ResolvedMacro } from '../space/macro-resolve';
import type { ExportFormat } from './export';
import { inferenceModel } from './image-model';

export const macroSource = (m: ResolvedMacro) => (m.source === 'string' ? 'the --genotype string' : m.source);

/** --out of --format model: a folder that is new, empty, or an earlier export (never a folder of other files, which saving replaces). */
export function checkModelOut(out: string | undefined): void {
  if (out === undefined || out.trim() === '') throw new UsageError('--out: --format model writes a folder (model.json + weights.bin); name it with --out');
  if (!fs.existsSync(out)) return;
  if (!fs.statSync(out).isDirectory()) throw new UsageError(`--out: ${out} is a file; --format model writes a folder`);
  const other = fs.readdirSync(out).filter((f) => f !== MODEL_JSON && f !== WEIGHTS_BIN);
  if (other.length > 0) throw new UsageError(`--out: ${out} holds other files (${other.slice(0, 3).join(', ')}); choose a new or empty folder`);
}

/** Writes the browser model of the trained network `m` names into the folder `out`. */
export async function writeMacroModel(m: ResolvedMacro, out: string): Promise<void> {
  if (!m.modelDir) {
    throw new UsageError(`--format model: ${macroSource(m)} names a genotype, not a trained network; give a trained macro network's folder (a search candidate such as <run>/candidates/0001, or its model/)`);
  }
  const trained = await loadModel(m.modelDir);
  let browser: ReturnType<typeof inferenceModel> | null = null;
  try {
    const meta = (trained.getUserDefinedMetadata() as { tfnas: { mean: number[]; std: number[]; classNames: string[]; dataset: string } }).tfnas;
    browser = inferenceModel(trained, meta.mean, meta.std);
    const tfnas = { architecture: macroToKey(m.genotype), space: 'macro', classNames: meta.classNames, dataset: meta.dataset, input: 'NHWC pixels 0–255', output: 'class probabilities' };
    await saveModel(browser, out, { tfnas }).catch((e: Error) => {
      throw new UsageError(`--out: cannot write ${out}: ${e.message}`);
    });
  } finally {
    // The browser model holds the trained one as a layer: disposing it disposes both.
    (browser ?? trained).dispose();
  }
}

/** The text forms of a macro genotype: json (the object) and key. */
export function renderMacro(m: ResolvedMacro, format: ExportFormat): string {
  if (format === 'json') return JSON.stringify(m.genotype, null, 2) + '\n';
  if (format === 'key') return macroToKey(m.genotype) + '\n';
  throw new UsageError(`--format ${format}: ${macroSource(m)} is a macro-space chain network; use --format json, key or model`);
}
