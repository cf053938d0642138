import * as fs from 'fs';
import * as path from 'path';
import { execFileSync } from 'child_process';

/**
 * tfjs-node-gpu 4.x is built against libtensorflow 2.9.1, which needs CUDA 11.2 (libcudart.so.11.0)
 * and cuDNN 8.1 (libcudnn.so.8). Without them it silently falls back to the CPU, so we check for
 * the libraries and a visible NVIDIA device ourselves before calling it a GPU backend.
 */
export const GPU_LIBRARIES = ['libcudart.so.11.0', 'libcudnn.so.8'];

export interface GpuFacts {
  /** NVIDIA device nodes or driver entries found. */
  devices: string[];
  /** Shared libraries found (by file name). */
  libraries: string[];
}

export interface GpuVerdict {
  visible: boolean;
  reason: string;
}

/** Pure decision from gathered facts. */
export function judgeGpu(facts: GpuFacts): GpuVerdict {
  if (facts.devices.length === 0) {
    return { visible: false, reason: 'no NVIDIA device found (/dev/nvidia0, /proc/driver/nvidia/gpus)' };
  }
  const missing = GPU_LIBRARIES.filter((lib) => !facts.libraries.includes(lib));
  if (missing.length > 0) {
    return {
      visible: false,
      reason: `missing ${missing.join(', ')} (tfjs-node-gpu 4.x needs CUDA 11.2 and cuDNN 8.1 on the library path)`,
    };
  }
  return { visible: true, reason: `${facts.devices.length} NVIDIA device(s), CUDA 11.2 and cuDNN 8.1 libraries found` };
}

/** Gathers the facts from this machine: device nodes, ldconfig's cache and LD_LIBRARY_PATH. */
export function gatherGpuFacts(): GpuFacts {
  const devices: string[] = [];
  for (let i = 0; i < 16; i++) if (fs.existsSync(`/dev/nvidia${i}`)) devices.push(`/dev/nvidia${i}`);
  const procDir = '/proc/driver/nvidia/gpus';
  if (devices.length === 0 && fs.existsSync(procDir)) devices.push(...fs.readdirSync(procDir));
  return { devices, libraries: findLibraries(GPU_LIBRARIES, ['/usr/local/cuda/lib64', '/usr/local/cuda-11.2/lib64']) };
}

/** Which of `libs` the dynamic loader would find: LD_LIBRARY_PATH, `extraDirs`, the system directory, ldconfig's cache. */
export function findLibraries(libs: readonly string[], extraDirs: readonly string[] = []): string[] {
  const found = new Set<string>();
  const dirs = (process.env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean);
  dirs.push(...extraDirs, '/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib');
  for (const lib of libs) {
    if (dirs.some((d) => fs.existsSync(path.join(d, lib)))) found.add(lib);
  }
  try {
    const cache = execFileSync('ldconfig', ['-p'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    for (const lib of libs) if (cache.includes(lib)) found.add(lib);
  } catch {
    // ldconfig missing: rely on the directory scan above.
  }
  return libs.filter((l) => found.has(l));
}
