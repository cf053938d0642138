import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { replaceDirAtomic } from '../io/atomic';
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
      return tf.io.getModelArtifactsForJSON(json, async (manifest) => {
        const parts: Uint8Array[] = [];
        for (const group of manifest) {
          for (const p of group.paths) {
            const f = path.join(base, p);
            if (!fs.existsSync(f)) throw new UsageError(`--model: weight file ${f} named in ${file} is missing`);
            parts.push(fs.readFileSync(f));
          }
        }
        const all = Buffer.concat(parts);
        const copy = new Uint8Array(all).buffer;
        return [tf.io.getWeightSpecs(manifest), copy];
      });
    },
  };
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
