import * as tf from '@tensorflow/tfjs';
import { BACKENDS, BACKEND_NAMES, installHint, unknownBackend } from './registry';
import { patchBackend } from './patches';
import { firstLine, UsageError } from '../io/errors';
import { adapterInUse, adapterLabel, releaseWebgpu, setAdapterInUse, watchDevice, webgpuAdapter } from './webgpu';

export { tf };

let active: string | null = null;

/** Warnings go to stderr so that `--json` output on stdout stays machine-readable. */
export type Logger = (line: string) => void;
const stderrLogger: Logger = (line) => process.stderr.write(line + '\n');

/**
 * Selects and initialises a backend and returns the name of the one actually in use
 * (`tensorflow-gpu`, `tensorflow`, `webgpu`, `wasm` or `cpu`). `auto` (the default) takes the first
 * that loads and passes its check in registry order (webgpu only on a hardware adapter). Training
 * fixes for the chosen backend are registered here.
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
  setAdapterInUse(chosen === 'webgpu' ? await webgpuAdapter() : null);
  if (chosen === 'webgpu') watchDevice((tf.backend() as unknown as { device: Parameters<typeof watchDevice>[0] }).device);
  return chosen;
}

/**
 * The backend in use as people should read it: the name, and for webgpu the adapter, so that a
 * run on a fallback (software) adapter is never taken for a GPU run.
 */
export function backendLabel(name: string): string {
  const adapter = name === 'webgpu' ? adapterInUse() : null;
  return adapter ? `${name} on ${adapterLabel(adapter)}` : name;
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
  const check = await entry.check?.(true);
  if (check && !check.ok) {
    throw new UsageError(`backend "${name}": ${entry.packageName} loaded but no GPU is usable: ${check.reason}`);
  }
  return name;
}

async function pickAuto(log: Logger): Promise<string> {
  // tfjs-node-gpu without a usable GPU has registered its native backend, which runs on the CPU as
  // "tensorflow": the answer unless webgpu finds a hardware adapter.
  let cpuNative: string | null = null;
  for (const name of BACKEND_NAMES) {
    if (cpuNative && name !== 'webgpu') break;
    const entry = BACKENDS[name];
    try {
      await entry.load();
    } catch {
      continue;
    }
    const check = await entry.check?.(false);
    if (!check || check.ok) return name;
    if (name === 'webgpu') {
      // A software adapter is slower than wasm and must never pass for a GPU: try the CPU backends.
      releaseWebgpu();
      continue;
    }
    log(`warning: @tensorflow/tfjs-node-gpu is installed but no GPU is usable (${check.reason}); it runs on the CPU as "tensorflow"`);
    cpuNative = 'tensorflow';
  }
  if (cpuNative) return cpuNative;
  throw new Error('no TensorFlow.js backend could be loaded (not even cpu)');
}

