import * as fs from 'fs';
import * as path from 'path';
import { spawnSync } from 'child_process';

/**
 * WebGPU tests on Chromium's SwiftShader (Debian package chromium-common): a Vulkan driver in
 * software, which Dawn offers as a fallback adapter. The dynamic loader reads LD_LIBRARY_PATH only
 * when a process starts, so the tests run their webgpu side in a child process with both variables
 * set; they skip with a message where SwiftShader or the `webgpu` package is missing.
 */
export const SWIFTSHADER_DIR = process.env.TFNAS_SWIFTSHADER_DIR ?? '/usr/lib/chromium';
const ICD = path.join(SWIFTSHADER_DIR, 'vk_swiftshader_icd.json');
const REPO = path.resolve(__dirname, '..', '..', '..');

/** The environment a webgpu child needs, or why there is none here. */
export function swiftshaderEnv(): { env: NodeJS.ProcessEnv } | { skip: string } {
  if (!fs.existsSync(ICD)) return { skip: `no SwiftShader (${ICD}; apt-get install chromium-common)` };
  try {
    require.resolve('webgpu/package.json');
  } catch {
    return { skip: 'the optional npm package webgpu (Dawn for Node) is not installed' };
  }
  const ld = [SWIFTSHADER_DIR, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':');
  return { env: { ...process.env, LD_LIBRARY_PATH: ld, VK_ICD_FILENAMES: ICD, TS_NODE_PROJECT: path.join(REPO, 'tsconfig.json') } };
}

/** Runs a TypeScript file or the CLI (`src/cli/main.ts`) under ts-node with SwiftShader's variables. */
export function runOnSwiftshader(file: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs = 300_000) {
  const r = spawnSync(process.execPath, ['-r', require.resolve('ts-node/register/transpile-only'), file, ...args], {
    cwd: REPO,
    env,
    encoding: 'utf8',
    timeout: timeoutMs,
    maxBuffer: 256 * 2 ** 20,
  });
  return { code: r.status, out: r.stdout ?? '', err: r.stderr ?? '' };
}

export const CLI = path.join(REPO, 'src', 'cli', 'main.ts');

/** The last line of `out` as JSON. */
export const lastJson = <T>(out: string): T => JSON.parse(out.trim().split('\n').pop() as string) as T;

/** Logs why a webgpu test is skipped (jest has no runtime skip), once per file. */
export function skipNote(file: string, reason: string): void {
  process.stderr.write(`${file}: skipped: ${reason}\n`);
}
