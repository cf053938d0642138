/**
 * `--genotype` for the macro space: a genotype key (`conv3-32/max conv3-64/max bn=0 drop=0.5
 * dense=128`), its JSON object (inline or in a file), a black-box search run folder of the macro
 * space (best.json), or a trained macro network's folder: a search candidate (`candidates/0003`,
 * whose `model/model.json` records the genotype) or that model folder itself. Files only, no tensors.
 */
import * as fs from 'fs';
import * as path from 'path';
import { UsageError } from '../io/errors';
import { parseInlineJson } from './genotype';
import { macroFromKey, macroIsValid, type MacroGenotype } from './macro-space';

export interface ResolvedMacro {
  genotype: MacroGenotype;
  source: string;
  /** The folder of the trained model (model.json) when the argument named one, else null. */
  modelDir: string | null;
}

/** A macro key's first block (`conv3-32`, `sep5-64+`): how a key is told from the other forms. */
const KEY_START = /^(conv|sep)\d-\d+\+?[,/]/;

export function looksLikeMacroKey(text: string): boolean {
  return KEY_START.test(text.trim());
}

const readJsonFile = (file: string): Record<string, unknown> => {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, '')) as Record<string, unknown>;
  } catch (e) {
    throw new UsageError(`${file} is not valid JSON: ${(e as Error).message}`);
  }
};

/** The genotype of parsed JSON: the object, a key string, or either under `genotype` (best.json also has `best`). */
function fromJson(value: unknown, where: string): MacroGenotype {
  if (typeof value === 'string') return macroFromKey(value);
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const rec = value as Record<string, unknown>;
    if ('stages' in rec) {
      if (!macroIsValid(rec as unknown as MacroGenotype)) throw new UsageError(`${where}: ${JSON.stringify(rec).slice(0, 120)} is not in the macro space`);
      return structuredClone(rec) as unknown as MacroGenotype;
    }
    if (typeof rec.best === 'string') return macroFromKey(rec.best);
    if ('genotype' in rec) return fromJson(rec.genotype, where);
  }
  throw new UsageError(`${where}: expected a macro genotype ({"stages": [...], "batchNorm", "dropout", "dense"} or its key), got ${JSON.stringify(value)?.slice(0, 120)}`);
}

/** The trained model's folder inside `dir` (dir itself or dir/model) when it is a macro network's. */
function macroModelIn(dir: string): { modelDir: string; key: string } | null {
  for (const d of [dir, path.join(dir, 'model')]) {
    const file = path.join(d, 'model.json');
    if (!fs.existsSync(file)) continue;
    const tfnas = (readJsonFile(file).userDefinedMetadata as { tfnas?: { space?: string; genotype?: unknown } } | undefined)?.tfnas;
    if (tfnas?.space === 'macro' && typeof tfnas.genotype === 'string') return { modelDir: d, key: tfnas.genotype };
  }
  return null;
}

function fromFolder(dir: string): ResolvedMacro | null {
  const model = macroModelIn(dir);
  if (model) return { genotype: macroFromKey(model.key), source: `folder ${dir}`, modelDir: model.modelDir };
  const best = path.join(dir, 'best.json');
  if (fs.existsSync(best)) {
    const json = readJsonFile(best);
    if (json.space === 'macro') return { genotype: fromJson(json, best), source: `file ${best}`, modelDir: null };
  }
  return null;
}

/**
 * The macro genotype `arg` names, or null when it is none of the macro forms (the caller then
 * tries the other spaces). `required` (`--space macro`): never null; a UsageError says what was expected.
 */
export function resolveMacroGenotype(arg: string, required: boolean): ResolvedMacro | null {
  const t = arg.trim();
  try {
    if (looksLikeMacroKey(t) || (required && /\bbn=/.test(t))) return { genotype: macroFromKey(t), source: 'string', modelDir: null };
    if (t.startsWith('{')) {
      if (!required && !t.includes('"stages"')) return null;
      return { genotype: fromJson(parseInlineJson(t), 'the --genotype JSON'), source: 'string', modelDir: null };
    }
    if (t !== '' && fs.existsSync(t)) {
      if (fs.statSync(t).isDirectory()) {
        const found = fromFolder(t);
        if (found || !required) return found;
        throw new UsageError(`folder ${t} holds no macro-space run: expected best.json of a macro search, or a trained macro network (model/model.json)`);
      }
      const json = readJsonFile(t);
      if (!required && !('stages' in json) && !((json.genotype as Record<string, unknown> | undefined)?.stages)) return null;
      return { genotype: fromJson(json, t), source: `file ${t}`, modelDir: null };
    }
  } catch (e) {
    if (e instanceof UsageError) throw new UsageError(`--genotype: ${e.message}`);
    throw new UsageError(`--genotype: ${(e as Error).message}`);
  }
  if (!required) return null;
  throw new UsageError(`--genotype: ${JSON.stringify(arg)} is not a macro genotype key (e.g. conv3-32/max conv3-64/max bn=0 drop=0.5 dense=128), its JSON, or a macro run or candidate folder`);
}
