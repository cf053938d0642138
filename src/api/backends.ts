/**
 * `listBackends()`: what `tfnas backends` reports, as a library call: which TensorFlow.js backends
 * load here and why the others do not, the GPU facts, and the WebGPU adapter where there is one.
 */
import { BACKENDS, BACKEND_NAMES, installHint } from '../backend/registry';
import { gatherGpuFacts, judgeGpu } from '../backend/gpu';
import { releaseWebgpu, webgpuAdapter } from '../backend/webgpu';

export interface BackendRow {
  name: string;
  available: boolean;
  note: string;
}

export async function listBackends(): Promise<{ backends: BackendRow[]; gpu: ReturnType<typeof judgeGpu>; webgpuAdapter: Awaited<ReturnType<typeof webgpuAdapter>> | null }> {
  const rows: BackendRow[] = [];
  for (const name of BACKEND_NAMES) {
    const entry = BACKENDS[name];
    try {
      await entry.load();
      // As `--backend <name>` would judge it (webgpu: a fallback adapter works, but auto skips it).
      const check = await entry.check?.(true);
      rows.push({ name, available: !check || check.ok, note: check ? check.reason : 'loads' });
    } catch {
      rows.push({ name, available: false, note: `not installed: ${installHint(name)}` });
    }
  }
  const adapter = rows.some((r) => r.name === 'webgpu' && r.available) ? await webgpuAdapter() : null;
  releaseWebgpu();
  return { backends: rows, gpu: judgeGpu(gatherGpuFacts()), webgpuAdapter: adapter };
}
