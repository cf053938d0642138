import type { CommandModule } from 'yargs';
import { BACKENDS, BACKEND_NAMES, installHint } from '../backend/registry';
import { gatherGpuFacts, judgeGpu } from '../backend/gpu';
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
        const check = entry.check?.();
        rows.push({ name, available: !check || check.ok, note: check ? check.reason : 'loads' });
      } catch {
        rows.push({ name, available: false, note: `not installed: ${installHint(name)}` });
      }
    }
    if (json) {
      printJsonSummary({ backends: rows, gpu: judgeGpu(gatherGpuFacts()) });
      return;
    }
    for (const r of rows) console.log(`${r.available ? 'yes' : 'no '}  ${r.name.padEnd(15)} ${r.note}`);
  },
};
