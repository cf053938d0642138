import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { replaceDirAtomic } from '../io/atomic';
import { confinedPath } from '../io/confine';
import { UsageError } from '../io/errors';

/**
 * Saving and loading layers models as `model.json` + `weights.bin` in a folder on the local file
 * system, the format tf.loadLayersModel reads over HTTP in a browser (tf.io.fileSystem exists only
 * in tfjs-node, which is optional here). Saving replaces the folder atomically: a crash leaves the
 * previous model or the new one, never a model.json whose weights are missing.
 */
export const MODEL_JSON = 'model.json';
export const WEIGHTS_BIN = 'weights.bin';

function weightBuffer(data: tf.io.WeightData | undefined): Uint8Array {
  if (data === undefined) return new Uint8Array(0);
  return new Uint8Array(new tf.io.CompositeArrayBuffer(data).slice());
}

export function fileSaveHandler(dir: string): tf.io.IOHandler {
  return {
    save: async (artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> => {
      if (artifacts.modelTopology instanceof ArrayBuffer) throw new Error('saving graph models in binary form is not supported');
      const modelJson: tf.io.ModelJSON = {
        modelTopology: artifacts.modelTopology as object,
        format: artifacts.format ?? 'layers-model',
        generatedBy: artifacts.generatedBy ?? `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
        convertedBy: artifacts.convertedBy ?? null,
        weightsManifest: [{ paths: [`./${WEIGHTS_BIN}`], weights: artifacts.weightSpecs ?? [] }],
      };
      if (artifacts.trainingConfig) modelJson.trainingConfig = artifacts.trainingConfig;
      if (artifacts.userDefinedMetadata) modelJson.userDefinedMetadata = artifacts.userDefinedMetadata;
      const weights = weightBuffer(artifacts.weightData);
      await replaceDirAtomic(dir, (tmp) => {
        fs.writeFileSync(path.join(tmp, WEIGHTS_BIN), weights);
        fs.writeFileSync(path.join(tmp, MODEL_JSON), JSON.stringify(modelJson));
      });
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    },
  };
}

export function fileLoadHandler(dir: string): tf.io.IOHandler {
  const file = dir.endsWith('.json') ? dir : path.join(dir, MODEL_JSON);
  const base = path.dirname(file);
  return {
    load: async (): Promise<tf.io.ModelArtifacts> => {
      if (!fs.existsSync(file)) throw new UsageError(`--model: ${file} does not exist (expected a folder holding model.json and its weights)`);
      let json: tf.io.ModelJSON;
      try {
        json = JSON.parse(fs.readFileSync(file, 'utf8')) as tf.io.ModelJSON;
      } catch (e) {
        throw new UsageError(`--model: ${file} is not valid JSON (${(e as Error).message})`);
      }
      if (!json.modelTopology || !Array.isArray(json.weightsManifest)) {
        throw new UsageError(`--model: ${file} is not a TensorFlow.js model.json (no modelTopology/weightsManifest)`);
      }
      return tf.io.getModelArtifactsForJSON(json, async (manifest) => readWeights(manifest, base, file));
    },
  };
}

const DTYPE_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, complex64: 8, uint8: 1, uint16: 2, float16: 2 };

/** Bytes the weight specs of a manifest take (quantised weights at their stored width). */
function expectedBytes(specs: tf.io.WeightsManifestEntry[]): number {
  let total = 0;
  for (const s of specs) {
    const size = s.shape.reduce((a, b) => a * b, 1);
    const width = DTYPE_BYTES[s.quantization?.dtype ?? s.dtype];
    if (width === undefined) throw new UsageError(`--model: weight ${s.name} has dtype ${s.quantization?.dtype ?? s.dtype}, which tfnas cannot load`);
    total += size * width;
  }
  return total;
}

/**
 * Reads the weight files a model.json names. Every path is checked first (inside the model
 * folder, no symbolic link leaving it), so nothing outside is ever opened; then the total size
 * is checked against the weight specs, so a truncated file is named instead of failing inside
 * tfjs with a tensor-size message.
 */
async function readWeights(manifest: tf.io.WeightsManifestConfig, base: string, file: string): Promise<[tf.io.WeightsManifestEntry[], ArrayBuffer]> {
  const files = manifest.flatMap((group) => group.paths.map((p) => confinedPath(base, p, '--model', file)));
  for (const f of files) if (!fs.existsSync(f)) throw new UsageError(`--model: weight file ${f} named in ${file} is missing`);
  const specs = tf.io.getWeightSpecs(manifest);
  const parts = files.map((f) => fs.readFileSync(f));
  const all = Buffer.concat(parts);
  const want = expectedBytes(specs);
  if (all.byteLength !== want) {
    const names = files.map((f, i) => `${f} (${parts[i].byteLength} bytes)`).join(', ');
    throw new UsageError(`--model: the weights of ${file} need ${want} bytes, but ${names} hold ${all.byteLength}: the file is truncated or belongs to another model`);
  }
  return [specs, new Uint8Array(all).buffer];
}

/** Saves `model` (with optional metadata, e.g. genotype and normalisation) to `dir` atomically. */
export async function saveModel(model: tf.LayersModel, dir: string, metadata?: Record<string, unknown>): Promise<void> {
  if (metadata) model.setUserDefinedMetadata(metadata);
  await model.save(fileSaveHandler(dir));
}

/** Loads a model saved by `saveModel` (or any layers model.json folder) with tf.loadLayersModel. */
export async function loadModel(dir: string): Promise<tf.LayersModel> {
  return tf.loadLayersModel(fileLoadHandler(dir));
}
