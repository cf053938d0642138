import type { CommandModule } from 'yargs';
import { UsageError } from '../io/errors';

// Placeholder until its owner lands it.
export const benchNb201Command: CommandModule = {
  command: 'nb201',
  describe: '(being written)',
  handler: () => {
    throw new UsageError('tfnas bench nb201 is not available yet');
  },
};
