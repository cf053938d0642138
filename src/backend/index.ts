import * as tf from '@tensorflow/tfjs';
import { BACKENDS, BACKEND_NAMES, installHint, unknownBackend } from './registry';
import { patchBackend } from './patches';
import { UsageError } from '../io/errors';

export { tf };

let active: string | null = null;

/** Warnings go to stderr so that `--json` output on stdout stays machine-readable. */
export type Logger = (line: string) => void;
const stderrLogger: Logger = (line) => process.stderr.write(line + '\n');

/**
 * Selects and initialises a backend and returns the name of the one actually in use
 * (`tensorflow-gpu`, `tensorflow`, `wasm` or `cpu`). `auto` (the default) takes the first that
 * loads in registry order. Training fixes for the chosen backend are registered here.
 */
export async function useBackend(name = 'auto', log: Logger = stderrLogger): Promise<string> {
  const chosen = name === 'auto' ? await pickAuto(log) : await loadNamed(name);
  const entry = BACKENDS[chosen];
  const ok = await tf.setBackend(entry.tfName);
  if (!ok) throw new UsageError(`backend "${chosen}" failed to initialise`);
  await tf.ready();
  // The cpu backend greets its first tensor with advice to install tfjs-node; tfnas has already
  // chosen the backend (and says which), so that banner is only noise in logs.
  if (entry.tfName === 'cpu') (tf.backend() as unknown as { firstUse: boolean }).firstUse = false;
  patchBackend(entry.tfName);
  active = chosen;
  return chosen;
}

/** The backend chosen by the last `useBackend` call, or null. */
export function activeBackend(): string | null {
  return active;
}

async function loadNamed(name: string): Promise<string> {
  const entry = BACKENDS[name];
  if (!entry) throw unknownBackend(name);
  try {
    await entry.load();
  } catch (e) {
    throw new UsageError(
      `backend "${name}" is not installed or cannot load here (${firstLine(e)}). Install it with: ${installHint(name)}`,
    );
  }
  const check = entry.check?.();
  if (check && !check.ok) {
    throw new UsageError(`backend "${name}": @tensorflow/tfjs-node-gpu loaded but no GPU is usable: ${check.reason}`);
  }
  return name;
}

async function pickAuto(log: Logger): Promise<string> {
  for (const name of BACKEND_NAMES) {
    const entry = BACKENDS[name];
    try {
      await entry.load();
    } catch {
      continue;
    }
    const check = entry.check?.();
    if (check && !check.ok) {
      // The package is loaded and has registered the native backend, which would run on the CPU.
      log(`warning: @tensorflow/tfjs-node-gpu is installed but no GPU is usable (${check.reason}); it runs on the CPU as "tensorflow"`);
      return 'tensorflow';
    }
    return name;
  }
  throw new Error('no TensorFlow.js backend could be loaded (not even cpu)');
}

function firstLine(e: unknown): string {
  return String((e as Error)?.message ?? e).split('\n')[0];
}
