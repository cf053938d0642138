import type { CommandModule } from 'yargs';
import { backendsCommand } from './backends';
import { dataCommand } from './data';
import { benchCommand } from './bench';
import { exportCommand } from './export-command';
import { searchCommand } from './search';
import { trainCommand } from './train-command';
import { evalCommand } from './eval-command';
import { reportCommand } from './report';
import { workerCommand } from './worker';
import { queueCommand } from './queue';

/** Every top-level command; each lives in its own module under src/cli/. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const COMMANDS: CommandModule<any, any>[] = [
  searchCommand,
  trainCommand,
  evalCommand,
  exportCommand,
  reportCommand,
  dataCommand,
  benchCommand,
  backendsCommand,
  workerCommand,
  queueCommand,
];
