import type { CommandModule } from 'yargs';
import { backendsCommand } from './backends';
import { benchCommand } from './bench';
import { searchCommand } from './search';

/** Every top-level command; each lives in its own module under src/cli/. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const COMMANDS: CommandModule<any, any>[] = [searchCommand, benchCommand, backendsCommand];
