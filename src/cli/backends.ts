import type { CommandModule } from 'yargs';
import { BACKENDS, BACKEND_NAMES, installHint } from '../backend/registry';
import { gatherGpuFacts, judgeGpu } from '../backend/gpu';
import { adapterLabel, releaseWebgpu, webgpuAdapter } from '../backend/webgpu';
import { JSON_OPTION, printJsonSummary } from './common';
import { addOptions, readOptions } from './options';


/** `tfnas backends`: which backends load on this machine and why the others do not. */
export const backendsCommand: CommandModule = {
  command: 'backends',
  describe: 'List the TensorFlow.js backends and whether each works here (e.g. tfnas backends --json)',
  builder: (y) =>
    addOptions(y, JSON_OPTION)
      .example('tfnas backends', 'which backends load here, and why the others do not')
      .example('tfnas backends --json', 'the same as JSON') as never,
  handler: async (argv) => {
    const { json } = readOptions(argv as Record<string, unknown>, JSON_OPTION, 'backends');
    const rows: { name: string; available: boolean; note: string }[] = [];
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
    if (json) {
      printJsonSummary({ backends: rows, gpu: judgeGpu(gatherGpuFacts()), webgpuAdapter: adapter });
      return;
    }
    for (const r of rows) console.log(`${r.available ? 'yes' : 'no '}  ${r.name.padEnd(15)} ${r.note}`);
    if (adapter) {
      console.log(`webgpu adapter: vendor ${adapter.vendor}, architecture ${adapter.architecture}, isFallbackAdapter ${adapter.isFallbackAdapter}`);
      console.log(`  ${adapterLabel(adapter)}; max storage binding ${adapter.maxStorageBufferBindingSize} bytes`);
      if (adapter.isFallbackAdapter) console.log('  auto never picks a fallback adapter; --backend webgpu uses it, and the run is labelled so');
    }
  },
};
