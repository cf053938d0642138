import type { CommandModule } from 'yargs';
import { listBackends } from '../api/backends';
import { adapterLabel } from '../backend/webgpu';
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
    const r = await listBackends();
    const rows = r.backends;
    const adapter = r.webgpuAdapter;
    if (json) {
      printJsonSummary(r);
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
